/**
 * Backward passes of the classifier layers ({@code engine.classifier}'s forward kernels, with what each must keep
 * for its gradient), the network that chains them over a mini-batch, and softmax cross-entropy. No general autograd:
 * each layer's gradient is written out, checked by finite differences in the tests.
 */
package dev.quantscope.train.nn;
