# Pointwise (1x1) convolution, int8, TFLite semantics, on npu8-default (32 lanes).
#
#   out[p][oc] = clamp(zo + MBQM(bias[oc] + sum_ic (in[p][ic] - zx) * w[ic][oc]), amin, amax)
#
# Lanes map to the 32 output channels. The reduction over input channels uses vdot4:
# four input channels of one pixel (lanes 0..3 of a loaded vector) against four weight
# vectors, 4 MACs per lane per instruction. Four pixels share each weight load.
#
# DRAM layout (see pointwise.md for the input files):
#   IN   P x IC int8, NHWC with the pixels flattened
#   WGT  IC x OC int8, output channel fastest
#   PAR  bias[OC] int32, multiplier[OC] int32, shift[OC] int32, little endian
#   OUT  P x OC int8

.equ P, 64          # pixels (multiple of 4)
.equ IC, 64         # input channels (multiple of 4)
.equ OC, 32         # output channels = lanes
.equ IN, 0x0000
.equ WGT, 0x1000
.equ PAR, 0x2000
.equ OUT, 0x3000

        csrwi zx, -128           # input zero point
        csrwi zo, -5             # output zero point
        csrwi amin, -128         # activation clamp (none)
        csrwi amax, 127

        # Bring the whole layer on chip: each is one row of contiguous bytes.
        li   x1, 1
        li   x2, P*IC
        dma.cfg x1, x2, x0, x0
        li   x6, IN
        dma.ld act, x0, x6
        li   x2, IC*OC
        dma.cfg x1, x2, x0, x0
        li   x6, WGT
        dma.ld wgt, x0, x6
        li   x2, OC*12
        dma.cfg x1, x2, x0, x0
        li   x6, PAR
        dma.ld par, x0, x6
        dma.wait ld, 0

        li   x10, 0              # par: bias
        li   x11, OC*4           # par: multipliers
        li   x12, OC*8           # par: shifts
        rqld x11, x12

        li   x20, 0              # act address of the current group of 4 pixels
        li   x21, 0              # out address
        li   x3, P/4
        loop x3, pixels_done
        vbias acc0, x10
        vbias acc1, x10
        vbias acc2, x10
        vbias acc3, x10
        addi x24, x20, 0         # pixel 0 of the group
        addi x25, x20, IC        # pixel 1
        addi x26, x20, 2*IC      # pixel 2
        addi x27, x20, 3*IC      # pixel 3
        li   x22, 0              # weights, input channel 0
        li   x4, IC/4
        loop x4, channels_done
        vld.s8 v1, act, x24, 4   # lanes 0..3 = in[p0][ic..ic+3]
        vld.s8 v2, act, x25, 4
        vld.s8 v3, act, x26, 4
        vld.s8 v4, act, x27, 4
        vld.s8 v8, wgt, x22, OC  # w[ic][0..31]
        vld.s8 v9, wgt, x22, OC  # w[ic+1][0..31]
        vld.s8 v10, wgt, x22, OC
        vld.s8 v11, wgt, x22, OC
        vdot4 acc0, v1, 0, v8
        vdot4 acc1, v2, 0, v8
        vdot4 acc2, v3, 0, v8
        vdot4 acc3, v4, 0, v8
channels_done:
        vrq  v5, acc0
        vst  v5, out, x21, OC
        vrq  v5, acc1
        vst  v5, out, x21, OC
        vrq  v5, acc2
        vst  v5, out, x21, OC
        vrq  v5, acc3
        vst  v5, out, x21, OC
        addi x20, x20, 4*IC
pixels_done:

        li   x1, 1
        li   x2, P*OC
        dma.cfg x1, x2, x0, x0
        li   x6, OUT
        dma.st out, x0, x6
        halt
