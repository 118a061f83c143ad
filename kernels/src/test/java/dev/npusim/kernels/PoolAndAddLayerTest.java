package dev.npusim.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Construction and validation of the pooling and ADD layer records, worked by hand. */
class PoolAndAddLayerTest {

  @Test
  void sameAndValidPaddingFollowTflite() {
    // SAME, 3x3 stride 2 on 7x8: outputs ceil(7/2) = 4 by ceil(8/2) = 4; padding needed
    // (4-1)*2 + 3 - 7 = 2 rows (1 before) and (4-1)*2 + 3 - 8 = 1 column (0 before).
    PoolLayer same =
        PoolLayer.tflite(
            PoolLayer.Kind.AVERAGE,
            DataType.INT8,
            new TensorShape(1, 7, 8, 3),
            3,
            3,
            2,
            2,
            true,
            -128,
            127);
    assertEquals(new TensorShape(1, 4, 4, 3), same.output());
    assertEquals(1, same.padTop());
    assertEquals(0, same.padLeft());
    // VALID: ceil((7 - 3 + 1) / 2) = 3 by ceil((8 - 3 + 1) / 2) = 3, no padding.
    PoolLayer valid =
        PoolLayer.tflite(
            PoolLayer.Kind.MAX,
            DataType.INT8,
            new TensorShape(1, 7, 8, 3),
            3,
            3,
            2,
            2,
            false,
            -128,
            127);
    assertEquals(new TensorShape(1, 3, 3, 3), valid.output());
    assertEquals(0, valid.padTop());
  }

  @Test
  void windowCountsExcludeThePadding() {
    PoolLayer p =
        PoolLayer.tflite(
            PoolLayer.Kind.AVERAGE,
            DataType.INT8,
            new TensorShape(1, 7, 8, 3),
            3,
            3,
            2,
            2,
            true,
            -128,
            127);
    // Row windows start at -1, 1, 3, 5: rows [0, 2), [1, 4), [3, 6), [5, 7): 2, 3, 3, 2.
    assertEquals(2, p.windowRows(0));
    assertEquals(3, p.windowRows(1));
    assertEquals(2, p.windowRows(3));
    // Column windows start at 0, 2, 4, 6: the last covers [6, 8): 2 columns.
    assertEquals(3, p.windowCols(0));
    assertEquals(2, p.windowCols(3));
  }

  @Test
  void badPoolsGetOneMessage() {
    TensorShape in = new TensorShape(1, 4, 4, 2);
    IllegalArgumentException valid =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PoolLayer.tflite(
                    PoolLayer.Kind.MAX, DataType.INT8, in, 5, 5, 1, 1, false, -128, 127));
    assertEquals("VALID padding: the 5x5 filter is larger than the 4x4 input", valid.getMessage());
    IllegalArgumentException act =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PoolLayer.tflite(PoolLayer.Kind.MAX, DataType.UINT8, in, 2, 2, 2, 2, true, -1, 9));
    assertEquals("activation range [-1, 9] is outside uint8", act.getMessage());
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new PoolLayer(
                    PoolLayer.Kind.AVERAGE,
                    DataType.INT8,
                    in,
                    new TensorShape(1, 4, 4, 2),
                    2,
                    2,
                    1,
                    1,
                    2,
                    0,
                    -128,
                    127));
    assertTrue(empty.getMessage().contains("first window"), empty.getMessage());
  }

  @Test
  void addMultipliersAreTflitesPrepare() {
    // s1 = 0.02, s2 = 0.05: twice_max = 0.1; input 1 0.2 = 0.8 * 2^-2 -> round(0.8 * 2^31)
    // = 1717986918, shift -2; input 2 0.5 -> 2^30, shift 0; output 0.1 / (2^20 * 0.1) = 2^-20
    // = 0.5 * 2^-19 -> 2^30, shift -19.
    AddLayer a =
        AddLayer.fromScales(
            DataType.INT8, new TensorShape(1, 2, 2, 3), 0.02, 1, 0.05, -2, 0.1, 0, -128, 127);
    assertEquals(1717986918, a.input1Multiplier());
    assertEquals(-2, a.input1Shift());
    assertEquals(1 << 30, a.input2Multiplier());
    assertEquals(0, a.input2Shift());
    assertEquals(1 << 30, a.outputMultiplier());
    assertEquals(-19, a.outputShift());
  }

  @Test
  void badAddsGetOneMessage() {
    IllegalArgumentException zp =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new AddLayer(
                    DataType.INT8,
                    new TensorShape(1, 1, 1, 4),
                    200,
                    1 << 30,
                    0,
                    0,
                    1 << 30,
                    0,
                    0,
                    1 << 30,
                    -19,
                    -128,
                    127));
    assertEquals("input1 zero point 200 is outside int8", zp.getMessage());
    IllegalArgumentException big =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new AddLayer(
                    DataType.INT8,
                    new TensorShape(1, 1, 1, 4),
                    0,
                    1 << 30,
                    0,
                    0,
                    1 << 30,
                    0,
                    0,
                    1 << 30,
                    2,
                    -128,
                    127));
    assertEquals(
        "output shift 2 is outside [-31, 0] (TFLite's ADD multipliers are below one)",
        big.getMessage());
  }
}
