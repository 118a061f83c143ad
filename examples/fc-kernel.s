# fully_connected, batch 4, 64 -> 32 channels, tflite-int8 (zx = -128, zo = -5, no clamp),
# per-channel requantization: a hand-written kernel that obeys the kernel ABI
# (docs/kernel-abi.md). It passes every case in examples/fc-cases/:
#
#   ./npusim validate --kernel examples/fc-kernel.s examples/fc-cases
#
#   out[n][oc] = clamp(zo + MBQM(bias[oc] + sum_ic (in[n][ic] - zx) * filter[oc][ic]), amin, amax)
#
# Lanes map to the 32 output channels. For each input channel the input byte is broadcast to
# every lane (vbc) and the filter column filter[0..31][ic] is a strided load (stride IC), so the
# filter is used in the case's own [OC][IC] layout, as the ABI places it.
#
# The ABI regions of this geometry (from `npusim golden layout CASE -o DIR`, layout.json):
.equ N, 4
.equ IC, 64
.equ OC, 32
.equ IN, 0x0000          # input  int8 [4][1][1][64]
.equ OUT, 0x0100         # output int8 [4][1][1][32]
.equ FILTER, 0x0180      # filter int8 [32][64]
.equ BIAS, 0x0980        # bias int32 [32], then multiplier int32 [32] at 0x0a00, shift int32 [32] at 0x0a80

        # The ABI leaves the control registers at reset; the kernel sets what the layer needs.
        csrwi zx, -128
        csrwi zo, -5
        csrwi amin, -128
        csrwi amax, 127
        csrwi otype, 0

        li   x1, 1
        li   x2, N*IC
        dma.cfg x1, x2, x0, x0
        li   x5, IN
        dma.ld act, x0, x5          # act[0..256) = input
        li   x2, OC*IC
        dma.cfg x1, x2, x0, x0
        li   x5, FILTER
        dma.ld wgt, x0, x5          # wgt[0..2048) = filter
        li   x2, 3*4*OC
        dma.cfg x1, x2, x0, x0
        li   x5, BIAS
        dma.ld par, x0, x5          # par: bias at 0, multipliers at 128, shifts at 256
        dma.wait ld, 0

        li   x6, 4*OC
        li   x7, 8*OC
        rqld x6, x7
        li   x8, 0                  # act address of in[n][ic]
        li   x10, 0                 # out address of out[n][0]
        li   x11, IC                # lane stride of a filter column
        li   x12, N
        loop x12, batch_done
        vbias acc0, x0
        li   x9, 0                  # wgt address of filter[0][ic]
        li   x13, IC
        loop x13, channels_done
        vbc.s8  v1, act, x8, 1
        vlds.s8 v2, wgt, x9, x11, 1
        vmac acc0, v1, v2
channels_done:
        vrq  v3, acc0
        vst  v3, out, x10, OC
batch_done:

        li   x2, N*OC
        dma.cfg x1, x2, x0, x0
        li   x5, OUT
        dma.st out, x0, x5
        halt
