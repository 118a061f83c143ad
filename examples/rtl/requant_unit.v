// npusim requantization unit: one lane of the vrq instruction in Q31 mode with TFLite rounding,
// bit-exact with npusim's Datapath, its integer reference and TFLite's reference kernels.
//
//   out = clamp(zo + RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc << left, m), right),
//               amin, amax)[7:0]
//
// with left = max(shift, 0), right = max(-shift, 0) (TFLite's MultiplyByQuantizedMultiplier, the
// "double rounding" form of docs/case-format.md). Every step wraps or saturates exactly as the
// spec says:
//   - acc << left wraps in 32 bits;
//   - SRDHM: the 64-bit product plus a nudge of 2^30 (product >= 0) or 1 - 2^30 (product < 0),
//     divided by 2^31 truncating toward zero (gemmlowp; ties go toward +infinity);
//     INT_MIN * INT_MIN saturates to INT_MAX;
//   - RoundingDivideByPOT: arithmetic shift, plus one when the discarded bits exceed half
//     (half plus one for a negative value): ties away from zero;
//   - the output zero point is added in 32 bits (wrapping, as TFLite's int32 add);
//   - clamp to [amin, amax], which lie inside the output type, so the low byte is the output.
//
// Purely combinational and synthesizable (Verilog-2001, no loops, no division: the divide by
// 2^31 toward zero is a bias and an arithmetic shift). A real datapath would register the
// product; the testbench applies one vector per time step.
`timescale 1ns / 1ps
module requant_unit (
    input  wire signed [31:0] acc,         // accumulator (32-bit, after wrap)
    input  wire signed [31:0] multiplier,  // Q31 multiplier (any int32 value)
    input  wire signed [5:0]  shift,       // -31..31: > 0 left shift, < 0 rounding right shift
    input  wire signed [8:0]  zo,          // output zero point, -128..255
    input  wire signed [8:0]  amin,        // clamp, in the output type's range
    input  wire signed [8:0]  amax,
    output wire        [7:0]  out          // the output byte (int8 or uint8 by the clamp range)
);
  wire        [4:0]  left  = shift[5] ? 5'd0 : shift[4:0];
  wire        [5:0]  neg   = -shift;
  wire        [4:0]  right = shift[5] ? neg[4:0] : 5'd0;

  // 1. Left shift, wrapping in 32 bits.
  wire signed [31:0] shifted = acc <<< left;

  // 2. SaturatingRoundingDoublingHighMul(shifted, multiplier).
  wire signed [63:0] product  = shifted * multiplier;
  wire signed [63:0] nudge    = product[63] ? 64'sd1 - 64'sd1073741824 : 64'sd1073741824;
  wire signed [63:0] nudged   = product + nudge;
  // Division by 2^31 rounding toward zero: add 2^31 - 1 to a negative dividend, then shift.
  wire signed [63:0] biased   = nudged[63] ? nudged + 64'sd2147483647 : nudged;
  wire signed [63:0] quotient = biased >>> 31;
  wire               overflow = (shifted == 32'sh80000000) && (multiplier == 32'sh80000000);
  wire signed [31:0] high     = overflow ? 32'sh7fffffff : quotient[31:0];

  // 3. RoundingDivideByPOT(high, right).
  wire        [31:0] mask      = (32'd1 << right) - 32'd1;
  wire        [31:0] remainder = high & mask;
  wire        [31:0] threshold = (mask >> 1) + {31'd0, high[31]};
  wire signed [31:0] scaled    = (high >>> right) + ((remainder > threshold) ? 32'sd1 : 32'sd0);

  // 4. Output zero point (32-bit wrapping add), 5. clamp.
  wire signed [31:0] with_zp = scaled + {{23{zo[8]}}, zo};
  wire signed [31:0] lo      = {{23{amin[8]}}, amin};
  wire signed [31:0] hi      = {{23{amax[8]}}, amax};
  wire signed [31:0] clamped = (with_zp < lo) ? lo : ((with_zp > hi) ? hi : with_zp);

  assign out = clamped[7:0];
endmodule
