# Reads act[32..64) before the dma.ld that writes act[0..64) has been waited for:
# npusim stops with a dma_hazard fault naming both instructions.
li x1, 1
li x2, 64
dma.cfg x1, x2, x2, x2      # 1 row of 64 bytes
dma.ld act, x0, x0          # act[0..64) <- dram[0..64), still in flight
li x5, 32
vld.s8 v1, act, x5, 0       # missing: dma.wait ld, 0
halt
