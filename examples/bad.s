# vld.s8 takes a vector register as its destination; x9 is a scalar register.
vld.s8 x9, act, x1, 0
halt
