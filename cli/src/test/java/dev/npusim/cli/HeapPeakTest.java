package dev.npusim.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeapPeakTest {
  @Test
  void aLiveArrayCountsTowardThePeak() {
    try (HeapPeak heap = new HeapPeak()) {
      byte[] held = new byte[64 << 20];
      held[held.length - 1] = 1;
      long peak = heap.peak();
      assertTrue(peak >= held.length, "peak " + peak + " below the 64 MiB array it holds");
      assertTrue(peak <= HeapPeak.max(), "peak " + peak + " above the heap's limit");
      assertTrue(held[held.length - 1] == 1);
    }
  }
}
