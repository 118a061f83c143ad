package dev.npusim.analysis.imported;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteReader;
import dev.npusim.simulator.MachineConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImportedStudyTest {
  static TfliteModel model(String file) throws IOException {
    try (InputStream in = ImportedStudyTest.class.getResourceAsStream("/models/tflite/" + file)) {
      return TfliteReader.read(file, in.readAllBytes());
    }
  }

  @Test
  void vwwAgainstItsFloatOriginal() throws Exception {
    TfliteModel int8 = model("vww_96_int8.tflite");
    TfliteModel original = model("vww_96_float.tflite");
    Random r = new Random(7);
    double[] x = new double[96 * 96 * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextDouble();
    }
    var shape = ImportedStudy.pair(int8, original).reference().inputShape();
    long t0 = System.nanoTime();
    ImportedStudyResult result =
        ImportedStudy.run(
            int8,
            original,
            List.of(new ModelInput("random", FloatTensor.copyOf(shape, x))),
            MachineConfig.defaults(),
            List.of(QuantScheme.TF8, QuantScheme.INT8_PER_CHANNEL));
    System.out.println((System.nanoTime() - t0) / 1e9 + " s");
    for (var l : result.layers()) {
      System.out.println(l);
    }
    for (var p : result.pipelines()) {
      System.out.println(p);
    }
    assertEquals(31, result.layers().size());
  }
}
