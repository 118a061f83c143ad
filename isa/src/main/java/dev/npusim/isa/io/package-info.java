/** Bounded reading of input files: one layer every reader goes through. */
package dev.npusim.isa.io;
