/**
 * Model importers (TensorFlow.js weights, TFLite FlatBuffers), the float executor of an imported
 * graph, image and tensor file readers, and model-specific evaluation heads (SSD anchors, box
 * decoding, NMS). Depends on {@code kernels} for the graph IR, and on nothing that executes.
 */
package dev.npusim.models;
