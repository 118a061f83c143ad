package dev.npusim.tests.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.golden.cases.CaseWriter;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.Padding;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.Semantics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code npusim sweep}: one CSV row per grid point, the Pareto marks agree with the rows
 * themselves, and the HTML page is self-contained.
 */
class SweepTest {
  @TempDir Path dir;

  @Test
  void aGridOfLanesAndBandwidth() throws Exception {
    Path c = dir.resolve("c.json");
    CaseWriter.write(
        CaseGenerator.generate(
            CaseSpec.builder(LayerKind.CONV2D, Semantics.TFLITE_INT8)
                .input(1, 16, 16, 32)
                .outputChannels(48)
                .kernel(3, 3)
                .padding(Padding.same())
                .build(),
            9),
        c);
    Path csv = dir.resolve("s.csv");
    Path html = dir.resolve("s.html");
    Cli r =
        Cli.run(
            "sweep",
            c.toString(),
            "--lanes",
            "8,16,32",
            "--dma-bw",
            "4,16",
            "--csv",
            csv.toString(),
            "--html",
            html.toString());
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = Files.readAllLines(csv);
    assertEquals(1 + 3 * 2, lines.size(), String.join("\n", lines));
    List<String> head = List.of(lines.get(0).split(","));
    int lanes = head.indexOf("lanes");
    int cycles = head.indexOf("cycles");
    int energy = head.indexOf("energy_pj");
    int pareto = head.indexOf("pareto");
    List<String[]> rows = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",");
      assertEquals("ok", f[head.indexOf("status")], l);
      rows.add(f);
    }
    // Independently of the implementation: a row is on the front iff no other row has cycles
    // and energy both <= and one <.
    for (String[] a : rows) {
      boolean dominated = false;
      for (String[] b : rows) {
        long ca = Long.parseLong(a[cycles]);
        long cb = Long.parseLong(b[cycles]);
        double ea = Double.parseDouble(a[energy]);
        double eb = Double.parseDouble(b[energy]);
        if (b != a && cb <= ca && eb <= ea && (cb < ca || eb < ea)) {
          dominated = true;
        }
      }
      assertEquals(!dominated, Boolean.parseBoolean(a[pareto]), String.join(",", a));
    }
    // Within a bandwidth, more lanes never cost cycles on this layer.
    assertTrue(Long.parseLong(rows.get(0)[cycles]) >= Long.parseLong(rows.get(2)[cycles]));
    assertEquals("8", rows.get(0)[lanes]);
    String page = Files.readString(html);
    assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("<svg"), "an HTML page");
    assertFalse(page.contains("<script"), "no scripts");
    assertFalse(page.contains("src=\"http") || page.contains("href=\"http"), "nothing fetched");
    assertTrue(page.contains("Pareto"), "marks the front");
  }
}
