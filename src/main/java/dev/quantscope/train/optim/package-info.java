/**
 * Optimizers and learning-rate schedules, shared by every trainer (classifiers, Llama recovery): one definition of
 * SGD with momentum, of Adam (AdamW's decoupled weight decay) and of each schedule.
 */
package dev.quantscope.train.optim;
