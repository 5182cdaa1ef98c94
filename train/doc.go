// Package train fits a distribution to data by maximum likelihood: the
// loss is the mean negative log-likelihood of a minibatch, minimised with
// Adam (Keras's defaults and update rule), reshuffling every epoch, with
// optional validation, early stopping and a progress line per epoch.
package train
