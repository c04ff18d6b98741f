// Every op the registry holds, by family (the definitions live in the .cpp of each family and
// register themselves when the library loads). Gradient-only ops are listed with their family.
//
//   dispatch.h       float32/float64 kernel selection (PKC_FLOAT_KERNEL)
//   dense.cpp        dense, matmul, dense_act_grad, bias_grad, dense_weight_grad, dense_input_grad
//   activations.cpp  relu, sigmoid, tanh, softmax (+ *_grad)
//   elementwise.cpp  add, subtract, multiply, divide, negative, sum_to_shape, zeros_like, copy
//   losses.cpp       mean_squared_error, sparse_categorical_crossentropy, reduce_loss (+ *_grad,
//                    softmax_sparse_categorical_crossentropy_grad)
//   metrics.cpp      sparse_categorical_accuracy, categorical_accuracy, binary_accuracy,
//                    metric_mean_update (stateful), batch_size
//   shape_ops.cpp    reshape (a view), cast
//   optimizers.cpp   flat-buffer update kernels (not graph ops): sgd_update, adam_update
#pragma once
#include "ops/registry.h"
