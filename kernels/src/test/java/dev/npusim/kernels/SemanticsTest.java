package dev.npusim.kernels;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SemanticsTest {

  @Test
  void tfliteSemanticsFixOneTypeForEveryTensor() {
    // case-format.md: tflite-int8 is int8 throughout, tflite-uint8 uint8 throughout.
    assertDoesNotThrow(
        () -> Semantics.TFLITE_INT8.checkTypes(DataType.INT8, DataType.INT8, DataType.INT8));
    assertDoesNotThrow(
        () -> Semantics.TFLITE_UINT8.checkTypes(DataType.UINT8, DataType.UINT8, DataType.UINT8));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Semantics.TFLITE_UINT8.checkTypes(DataType.UINT8, DataType.INT8, DataType.UINT8));
    assertEquals("tflite-uint8 is uint8 throughout, found uint8/int8/uint8", e.getMessage());
  }

  @Test
  void floatRequantLetsEachTensorDeclareItsType() {
    // ONNX QLinearConv: uint8 activations with int8 weights is the common mix.
    assertEquals(null, Semantics.FLOAT_REQUANT.dataType());
    assertDoesNotThrow(
        () -> Semantics.FLOAT_REQUANT.checkTypes(DataType.UINT8, DataType.INT8, DataType.UINT8));
  }
}
