package dev.npusim.models.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatOp;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.graph.FloatGraphExecutor;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TfliteFloatGraphTest {

  /** Every vendored model imports, pairs each operator with a layer, and runs to a distribution. */
  @ParameterizedTest
  @CsvSource({
    "person_detect.tflite, 31, 2",
    "vww_96_int8.tflite, 31, 2",
    "vww_96_float.tflite, 31, 2",
    "kws_ref_model.tflite, 13, 12",
    "kws_ref_model_float32.tflite, 13, 12",
    "pretrainedResnet_quant.tflite, 16, 10",
    "pretrainedResnet.tflite, 16, 10"
  })
  void importsAndRunsEveryVendoredModel(String file, int operators, int classes)
      throws IOException {
    TfliteModel model = TfliteReader.read(file, TfliteReaderTest.resource(file));
    TfliteFloatGraph.Imported imported = TfliteFloatGraph.of(model);
    FloatGraph g = imported.graph();
    assertEquals(operators, model.operators().size());
    for (TfliteOperator op : model.operators()) {
      assertTrue(g.contains(imported.layer(op.index())), op.label());
    }
    FloatLayer last = g.last();
    assertEquals(FloatOp.SOFTMAX, last.op());
    assertEquals(classes, last.outputShape().c());
    Random r = new Random(1);
    double[] x = new double[(int) g.inputShape().elements()];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextDouble();
    }
    FloatTensor out =
        new FloatGraphExecutor(g).run(FloatTensor.copyOf(g.inputShape(), x)).get(last.name());
    double sum = 0;
    for (int i = 0; i < out.size(); i++) {
      assertTrue(out.get(i) >= 0 && out.get(i) <= 1, file + " probability " + out.get(i));
      sum += out.get(i);
    }
    assertEquals(1.0, sum, 1e-9, file + ": softmax sums to 1");
  }
}
