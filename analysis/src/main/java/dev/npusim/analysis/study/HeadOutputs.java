package dev.npusim.analysis.study;

import dev.npusim.kernels.graph.FloatTensor;
import java.util.Map;

/** The tensors a pass hands to the evaluation head (the SSD's box-predictor outputs), by layer. */
record HeadOutputs(Map<String, FloatTensor> outputs) {}
