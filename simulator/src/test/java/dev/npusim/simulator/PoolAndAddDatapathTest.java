package dev.npusim.simulator;

import static dev.npusim.simulator.Datapath.roundedAverage;
import static dev.npusim.simulator.Datapath.scaledAddInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.Csr.OutputType;
import dev.npusim.isa.Csr.RoundingMode;
import org.junit.jupiter.api.Test;

/**
 * The pooling and ADD arithmetic of the datapath, each value worked by hand from TFLite's reference
 * kernels ({@code reference_integer_ops/pooling.h} and {@code add.h}).
 */
class PoolAndAddDatapathTest {

  @Test
  void averageRoundsHalfAwayFromZeroWithTruncatingDivisions() {
    assertEquals(3, roundedAverage(10, 4)); // 2.5: (10 + 2) / 4 = 3
    assertEquals(-3, roundedAverage(-10, 4)); // -2.5: (-10 - 2) / 4 = -3
    assertEquals(2, roundedAverage(9, 4)); // 2.25: 11 / 4 = 2
    assertEquals(-2, roundedAverage(-9, 4)); // -2.25: -11 / 4 = -2 (toward zero)
    assertEquals(1, roundedAverage(3, 6)); // 0.5: 6 / 6 = 1
    assertEquals(-1, roundedAverage(-3, 6)); // -0.5: -6 / 6 = -1
    assertEquals(0, roundedAverage(0, 5)); // (0 - 2) / 5 = 0
    assertEquals(7, roundedAverage(7, 1));
    assertEquals(-128, roundedAverage(-128 * 9, 9)); // (-1152 - 4) / 9 = -128.4 -> -128
    assertEquals(127, roundedAverage(127 * 49, 49)); // (6223 + 24) / 49 = 127.49 -> 127
  }

  @Test
  void addInputIsShiftedByTwentyThenRescaled() {
    // x - z = 10 - (-3) = 13; 13 * 2^20 * 0.5 (2^30) = 6815744; / 2 (shift -1) = 3407872 = 13 *
    // 2^18.
    assertEquals(13 << 18, scaledAddInput(10, -3, 1 << 30, -1, RoundingMode.TFLITE));
    // (x - z) / 4 with ties: 2 -> 0.5 -> 1, -2 -> -0.5 -> -1, 1 -> 0.25 -> 0.
    assertEquals(1, scaledAddInput(2, 0, 1 << 30, -21, RoundingMode.TFLITE));
    assertEquals(-1, scaledAddInput(-2, 0, 1 << 30, -21, RoundingMode.TFLITE));
    assertEquals(0, scaledAddInput(1, 0, 1 << 30, -21, RoundingMode.TFLITE));
    // The widest input value: -128 - 127 = -255; -255 * 2^20 = -267386880 times (2^31 - 1) / 2^31
    // is -267386880.12, which the high multiply rounds to -267386880.
    assertEquals(-267386880, scaledAddInput(-128, 127, Integer.MAX_VALUE, 0, RoundingMode.TFLITE));
  }

  @Test
  void vaccAndVavgOnLanes() {
    AccumulatorFile accs = new AccumulatorFile(4, 32, AccumulatorMode.WRAP);
    Datapath.vacc(accs, 0, new int[] {5, -5, 1, -128}, 0, 4);
    Datapath.vacc(accs, 0, new int[] {3, -3, -3, -128}, 0, 4);
    // vl = 3: lane 3 keeps -128.
    Datapath.vacc(accs, 0, new int[] {4, 4, 4, 4}, 1, 3);
    assertArrayEquals(new long[] {11, -5, 1, -256}, accs.lanes[0]);
    int[] vd = new int[4];
    long[] counts = new long[2];
    // n = 2: (11 + 1) / 2 = 6, (-5 - 1) / 2 = -3, (1 + 1) / 2 = 1, (-256 - 1) / 2 = -128
    Datapath.vavg(vd, accs.lanes[0], 2, OutputType.INT8, -128, 127, 4, counts);
    assertArrayEquals(new int[] {6, -3, 1, -128}, vd);
    assertArrayEquals(new long[] {0, 0}, counts);
    // uint8 output with clamp [0, 255]: -3 and -128 saturate to 0.
    Datapath.vavg(vd, accs.lanes[0], 2, OutputType.UINT8, 0, 255, 4, counts);
    assertArrayEquals(new int[] {6, 0, 1, 0}, vd);
    assertArrayEquals(new long[] {2, 0}, counts);
  }

  @Test
  void vmaxAndVclamp() {
    int[] vd = new int[4];
    Datapath.vmax(vd, new int[] {5, -5, -128, 127}, new int[] {3, -3, 100, -128}, 4);
    assertArrayEquals(new int[] {5, -3, 100, 127}, vd);
    long[] counts = new long[2];
    Datapath.vclamp(vd, vd.clone(), OutputType.INT8, -4, 99, 4, counts);
    assertArrayEquals(new int[] {5, -3, 99, 99}, vd);
    assertArrayEquals(new long[] {0, 2}, counts);
  }

  @Test
  void vsaddAccumulatesBothInputsOfAnAdd() {
    // Input scales 0.5 and 0.25 (multipliers 2^30 with shifts 0 and -1), zero points -3 and 5:
    // x1 = 7, x2 = 9 gives 0.5 * 10 + 0.25 * 4 = 6, held with 20 fraction bits: 6 * 2^20.
    AccumulatorFile accs = new AccumulatorFile(1, 32, AccumulatorMode.WRAP);
    Datapath.vsadd(accs, 0, new int[] {7}, 1 << 30, 0, -3, RoundingMode.TFLITE, 1);
    Datapath.vsadd(accs, 0, new int[] {9}, 1 << 30, -1, 5, RoundingMode.TFLITE, 1);
    assertEquals(6L << 20, accs.lanes[0][0]);
  }
}
