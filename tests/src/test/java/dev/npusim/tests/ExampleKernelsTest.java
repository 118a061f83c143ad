package dev.npusim.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.isa.Assembler;
import dev.npusim.isa.Program;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written kernels in {@code examples/} compute, bit for bit, what a direct loop written
 * here computes. The loop's requantization is written independently of the simulator's datapath,
 * from the definitions in case-format.md, in exact BigInteger arithmetic.
 */
class ExampleKernelsTest {
  static final Path EXAMPLES = RepoPaths.root().resolve("examples");

  /** round-half-up of a*b / 2^31 (TFLite's nudge), saturated; exact. */
  static int srdhm(int a, int b) {
    if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
      return Integer.MAX_VALUE;
    }
    BigInteger ab = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b));
    BigInteger[] qr =
        ab.add(BigInteger.ONE.shiftLeft(30)).divideAndRemainder(BigInteger.ONE.shiftLeft(31));
    BigInteger q = qr[0];
    if (qr[1].signum() < 0) {
      q = q.subtract(BigInteger.ONE); // floor division
    }
    return q.intValueExact();
  }

  /** x / 2^e rounded half away from zero. */
  static int rdbpot(int x, int e) {
    if (e == 0) {
      return x;
    }
    long mag = Math.abs((long) x);
    long q = (mag + (1L << (e - 1))) >> e;
    return (int) (x < 0 ? -q : q);
  }

  static int requantize(int acc, int multiplier, int shift) {
    int left = Math.max(shift, 0);
    int right = Math.max(-shift, 0);
    return rdbpot(srdhm((int) ((long) acc << left), multiplier), right);
  }

  static byte[] int32s(int[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }

  @Test
  void pointwiseMatchesDirectLoop() throws Exception {
    final int p = 64, ic = 64, oc = 32, zx = -128, zo = -5;
    Program program =
        Assembler.assemble(Files.readString(EXAMPLES.resolve("pointwise.s")), "pointwise.s");
    for (long seed = 1; seed <= 5; seed++) {
      Random r = new Random(seed);
      byte[] in = new byte[p * ic];
      byte[] w = new byte[ic * oc];
      r.nextBytes(in);
      r.nextBytes(w);
      int[] bias = new int[oc];
      int[] mult = new int[oc];
      int[] shift = new int[oc];
      for (int c = 0; c < oc; c++) {
        bias[c] = r.nextInt(1 << 16) - (1 << 15);
        mult[c] = (1 << 30) + r.nextInt(1 << 30);
        shift[c] = -(6 + r.nextInt(6));
      }
      Machine m = new Machine(MachineConfig.defaults());
      m.writeDram(0x0000, in);
      m.writeDram(0x1000, w);
      byte[] par = new byte[oc * 12];
      System.arraycopy(int32s(bias), 0, par, 0, oc * 4);
      System.arraycopy(int32s(mult), 0, par, oc * 4, oc * 4);
      System.arraycopy(int32s(shift), 0, par, oc * 8, oc * 4);
      m.writeDram(0x2000, par);
      RunResult result = m.run(program, 1_000_000);
      byte[] out = m.readDram(0x3000, p * oc);

      byte[] expected = new byte[p * oc];
      for (int px = 0; px < p; px++) {
        for (int c = 0; c < oc; c++) {
          int acc = bias[c];
          for (int i = 0; i < ic; i++) {
            acc += (in[px * ic + i] - zx) * w[i * oc + c];
          }
          int v = zo + requantize(acc, mult[c], shift[c]);
          expected[px * oc + c] = (byte) Math.max(-128, Math.min(127, v));
        }
      }
      assertArrayEquals(expected, out, "seed " + seed);
      assertEquals((long) p * ic * oc, result.macs());
    }
  }

  /** The README's commands: the committed DRAM images through {@code npusim run --dump}. */
  @Test
  void readmeCommandsProduceWhatTheDirectLoopComputes(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Path out = tmp.resolve("pw-out.bin");
    java.io.StringWriter text = new java.io.StringWriter();
    int code =
        dev.npusim.cli.Main.execute(
            new String[] {
              "run",
              EXAMPLES.resolve("pointwise.s").toString(),
              "--dram",
              EXAMPLES.resolve("pointwise-dram.bin").toString(),
              "--dump",
              "0x3000:2048:" + out
            },
            new java.io.PrintWriter(text),
            new java.io.PrintWriter(new java.io.StringWriter()));
    assertEquals(0, code, text.toString());
    byte[] dram = Files.readAllBytes(EXAMPLES.resolve("pointwise-dram.bin"));
    ByteBuffer par =
        ByteBuffer.wrap(dram, 0x2000, 384)
            .order(ByteOrder.LITTLE_ENDIAN)
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    byte[] expected = new byte[64 * 32];
    for (int px = 0; px < 64; px++) {
      for (int c = 0; c < 32; c++) {
        int acc = par.getInt(4 * c);
        for (int i = 0; i < 64; i++) {
          acc += (dram[px * 64 + i] + 128) * dram[0x1000 + i * 32 + c];
        }
        int v = -5 + requantize(acc, par.getInt(128 + 4 * c), par.getInt(256 + 4 * c));
        expected[px * 32 + c] = (byte) Math.max(-128, Math.min(127, v));
      }
    }
    assertArrayEquals(expected, Files.readAllBytes(out));
  }

  /**
   * The README's fault examples: counted by hand in the sources, the dma.ld is the program's fourth
   * instruction (pc 3) and the vector load of its bytes the sixth (pc 5); bad.s puts a scalar
   * register where vld.s8 wants a vector one, line 2, column 8.
   */
  @Test
  void readmeFaultExamplesExitOneWithOneLine() {
    String hazard = runExpectingFailure(EXAMPLES.resolve("hazard.s"));
    assertEquals(
        EXAMPLES.resolve("hazard.s")
            + ": fault dma_hazard at pc 5 (vld.s8 v1, act, x5, 0): vector load from act[32..64)"
            + " while the outstanding dma.ld issued at pc 3 writes act[0..64); insert dma.wait"
            + " ld, 0 before this access",
        hazard);
    assertEquals(
        EXAMPLES.resolve("bad.s") + ":2:8: expected vector register v0..v31, got 'x9'",
        runExpectingFailure(EXAMPLES.resolve("bad.s")));
  }

  /** Runs {@code npusim run file}, asserts exit code 1, returns stderr without "npusim: ". */
  private static String runExpectingFailure(Path file) {
    java.io.StringWriter err = new java.io.StringWriter();
    int code =
        dev.npusim.cli.Main.execute(
            new String[] {"run", file.toString()},
            new java.io.PrintWriter(new java.io.StringWriter()),
            new java.io.PrintWriter(err));
    assertEquals(1, code, err.toString());
    String text = err.toString().strip();
    assertEquals(1, text.lines().count(), text);
    return text.replaceFirst("^npusim: ", "");
  }

  @Test
  void depthwiseMatchesDirectLoop() throws Exception {
    final int h = 8, wd = 8, c = 32, zx = 120, zo = 7, amin = 0, amax = 200;
    Program program =
        Assembler.assemble(Files.readString(EXAMPLES.resolve("depthwise3x3.s")), "depthwise3x3.s");
    for (long seed = 1; seed <= 5; seed++) {
      Random r = new Random(seed);
      byte[] in = new byte[h * wd * c];
      byte[] w = new byte[9 * c];
      r.nextBytes(in);
      r.nextBytes(w);
      int zw = 100 + r.nextInt(56);
      int[] bias = new int[c];
      int[] mult = new int[c];
      int[] shift = new int[c];
      int m0 = (1 << 30) + r.nextInt(1 << 30);
      int s0 = -(8 + r.nextInt(4));
      for (int ch = 0; ch < c; ch++) {
        bias[ch] = r.nextInt(1 << 14) - (1 << 13);
        mult[ch] = m0; // TF8: one multiplier and shift per tensor
        shift[ch] = s0;
      }
      Machine m = new Machine(MachineConfig.defaults());
      m.writeDram(0x0000, in);
      m.writeDram(0x1000, w);
      byte[] par = new byte[c * 12 + 4];
      System.arraycopy(int32s(bias), 0, par, 0, c * 4);
      System.arraycopy(int32s(mult), 0, par, c * 4, c * 4);
      System.arraycopy(int32s(shift), 0, par, c * 8, c * 4);
      par[c * 12] = (byte) zw;
      m.writeDram(0x2000, par);
      byte[] zpRow = new byte[(wd + 2) * c];
      java.util.Arrays.fill(zpRow, (byte) zx);
      m.writeDram(0x3000, zpRow);
      m.run(program, 1_000_000);
      byte[] out = m.readDram(0x4000, h * wd * c);

      byte[] expected = new byte[h * wd * c];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < wd; x++) {
          for (int ch = 0; ch < c; ch++) {
            int acc = bias[ch];
            for (int ky = 0; ky < 3; ky++) {
              for (int kx = 0; kx < 3; kx++) {
                int iy = y + ky - 1;
                int ix = x + kx - 1;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                  continue; // padding equals the zero point: contributes 0
                }
                int xv = in[(iy * wd + ix) * c + ch] & 0xFF;
                int wv = w[(ky * 3 + kx) * c + ch] & 0xFF;
                acc += (xv - zx) * (wv - zw);
              }
            }
            int v = zo + requantize(acc, mult[ch], shift[ch]);
            expected[(y * wd + x) * c + ch] = (byte) Math.max(amin, Math.min(amax, v));
          }
        }
      }
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i] & 0xFF, out[i] & 0xFF, "seed " + seed + " element " + i);
      }
    }
  }
}
