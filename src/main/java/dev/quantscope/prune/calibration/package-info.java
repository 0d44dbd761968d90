/**
 * What calibrated pruning learns from running text through the engine: calibration windows of token ids, and the
 * Hessians XᵀX of the weight matrices' inputs (whose diagonals are Wanda's column norms squared), one per distinct
 * input.
 */
package dev.quantscope.prune.calibration;
