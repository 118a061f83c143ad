// Testbench for requant_unit: reads vectors exported by npusim with $readmemh and compares every
// output. One vector per line, 128 bits as 32 hex digits, most significant field first:
//
//   [127:96] acc   [95:64] multiplier   [63:56] shift (two's complement)
//   [55:40] zo     [39:24] amin          [23:8] amax (each 16-bit two's complement)
//   [7:0]   expected output byte (from npusim's integer reference or a golden file)
//
// Usage: vvp requant_tb.vvp +vectors=requant.hex +count=N
// Prints each mismatch (the first 20 in full), then "requant_tb: P passed, F failed of N".
`timescale 1ns / 1ps
module requant_tb;
  localparam MAX_VECTORS = 1 << 20;
  reg [127:0] vectors [0:MAX_VECTORS-1];
  reg [8*1024-1:0] path;
  integer count, i, passed, failed;

  reg  signed [31:0] acc;
  reg  signed [31:0] multiplier;
  reg  signed [5:0]  shift;
  reg  signed [8:0]  zo, amin, amax;
  reg         [7:0]  expected;
  wire        [7:0]  out;

  requant_unit dut (
      .acc(acc), .multiplier(multiplier), .shift(shift), .zo(zo), .amin(amin), .amax(amax),
      .out(out));

  initial begin
    if (!$value$plusargs("vectors=%s", path)) begin
      $display("requant_tb: give the vector file as +vectors=FILE");
      $finish;
    end
    if (!$value$plusargs("count=%d", count) || count < 1 || count > MAX_VECTORS) begin
      $display("requant_tb: give the vector count as +count=N (1..%0d)", MAX_VECTORS);
      $finish;
    end
    $readmemh(path, vectors, 0, count - 1);
    passed = 0;
    failed = 0;
    for (i = 0; i < count; i = i + 1) begin
      if (^vectors[i] === 1'bx) begin
        $display("requant_tb: vector %0d is missing or not hex", i);
        failed = failed + 1;
      end else begin
        acc        = vectors[i][127:96];
        multiplier = vectors[i][95:64];
        shift      = vectors[i][61:56];
        zo         = vectors[i][48:40];
        amin       = vectors[i][32:24];
        amax       = vectors[i][16:8];
        expected   = vectors[i][7:0];
        #1;
        if (out === expected) begin
          passed = passed + 1;
        end else begin
          failed = failed + 1;
          if (failed <= 20)
            $display("MISMATCH vector %0d: acc %0d multiplier %0d shift %0d zo %0d clamp [%0d, %0d]: expected %02x, got %02x",
                     i, acc, multiplier, shift, zo, amin, amax, expected, out);
        end
      end
    end
    $display("requant_tb: %0d passed, %0d failed of %0d", passed, failed, count);
    $finish;
  end
endmodule
