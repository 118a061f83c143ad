package dev.npusim.tests.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code npusim estimate} on two programs whose cycles and energy are worked out by hand from the
 * documented model (docs/machines.md) on npu8-default: every instruction class takes 1 cycle, a
 * transfer takes 32 setup cycles + bytes / 16, and the Horowitz 45 nm table gives an 8-bit MAC 0.2
 * + 2 x 0.03 = 0.26 pJ, a 32-bit add 0.1 pJ, a scalar op 0.1 pJ, DRAM 1950 pJ per 64 bits and SRAM
 * 10 / 20 / 100 pJ per 64 bits at 8 KB / 32 KB / 1 MB, log-log in between and beyond.
 */
class HandComputedCostTest {
  @TempDir Path dir;

  private JsonNode estimate(String program) throws Exception {
    Path s = dir.resolve("p.s");
    Files.writeString(s, program);
    Path json = dir.resolve("p.json");
    Cli r =
        Cli.run("estimate", s.toString(), "--machine", "npu8-default", "--json", json.toString());
    assertEquals(0, r.exitCode(), r.err());
    return new ObjectMapper().readTree(json.toFile()).get("layers").get(0);
  }

  private static void assertPj(double expected, JsonNode energy, String component) {
    double actual = energy.get(component).asDouble();
    assertEquals(expected, actual, 1e-9 * Math.max(1, expected), component);
  }

  @Test
  void oneDmaFollowedByAWait() throws Exception {
    JsonNode l =
        estimate(
            """
                li   x1, 1
                li   x2, 512
                dma.cfg x1, x2, x0, x0
                dma.ld wgt, x0, x0
                dma.wait ld, 0
                halt
            """);
    // li 0, li 1, dma.cfg 2, dma.ld issues at 3 and occupies the port [3, 3 + 32 + 512/16 = 67);
    // dma.wait at 4 stalls until 67 and retires at 68; halt retires at 69.
    assertEquals(69, l.get("cycles").asLong());
    assertEquals(67 - 4, l.get("stalls").get("dma_wait").asLong());
    assertEquals(32 + 512 / 16, l.get("dma_ld_busy_cycles").asLong());
    assertEquals(512, l.get("dram_bytes_loaded").asLong());
    JsonNode e = l.get("energy_pj");
    double dram = 512 * 1950.0 / 8;
    // wgt is 64 KiB: above 32 KB the SRAM slope is ln(100/20) / ln(1 MB / 32 KB) = ln 5 / ln 32.
    double wgt = 512 * 20 * Math.pow(65536.0 / 32768, Math.log(5) / Math.log(32)) / 8;
    double scalar = 3 * 0.1; // li, li, dma.cfg
    double fetch = 6 * 10.0; // six 64-bit words from an 8 KB memory: 10 pJ each
    assertPj(dram, e, "dram");
    assertPj(wgt, e, "spad_wgt");
    assertPj(scalar, e, "scalar");
    assertPj(fetch, e, "instruction_fetch");
    assertPj(0, e, "mac");
    assertPj(dram + wgt + scalar + fetch, e, "total");
    // The run moved 512 bytes at 16 per cycle: 32 cycles of memory bound.
    assertEquals(512.0 / 16, l.get("memory_bound_cycles").asDouble(), 1e-12);
  }

  @Test
  void aLoopOfNMacs() throws Exception {
    int n = 5000;
    JsonNode l =
        estimate(
            """
                li   x7, 5000
                csrwi vl, 16
                loop x7, end
                vmac acc0, v1, v2
            end:
                halt
            """);
    // li, csrwi, loop: 3 cycles; 5000 vmac at 1 cycle, the back edge free; halt 1.
    assertEquals(n + 4, l.get("cycles").asLong());
    int vl = 16;
    assertEquals((long) n * vl, l.get("simulated_macs").asLong());
    JsonNode e = l.get("energy_pj");
    double mac = (double) n * vl * 0.26;
    double acc = (double) n * vl * 0.1;
    // 10 register bytes per lane (two operands, accumulator read and write) in a 1 KiB file:
    // below 32 KB the SRAM slope is ln 2 / ln 4 = 1/2, so 10 x sqrt(1/8) pJ per 64 bits.
    double reg = (double) n * vl * 10 * (10 * Math.sqrt(1024.0 / 8192) / 8);
    double scalar = 3 * 0.1; // li, csrwi and loop each count one scalar op; halt none
    double fetch = (n + 4) * 10.0;
    assertPj(mac, e, "mac");
    assertPj(acc, e, "accumulator");
    assertPj(reg, e, "register");
    assertPj(scalar, e, "scalar");
    assertPj(fetch, e, "instruction_fetch");
    assertPj(0, e, "dram");
    assertPj(mac + acc + reg + scalar + fetch, e, "total");
    // 80,000 MACs at a peak of 128 per cycle: a compute bound of 625 cycles.
    assertEquals(80000.0 / 128, l.get("compute_bound_cycles").asDouble(), 1e-12);
    assertEquals("compute", l.get("bound").asText());
  }
}
