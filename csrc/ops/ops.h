// Every op the registry holds, by family (the definitions live in the .cpp of each family and
// register themselves when the library loads). Gradient-only ops are listed with their family.
//
//   dispatch.h               float32/float64 kernel selection (PKC_FLOAT_KERNEL)
//   dense.cpp                dense (GEMM + bias + fused activation epilogue), matmul (2-D, transposes),
//                            dense_act_grad, bias_grad, dense_weight_grad, dense_input_grad
//   matmul.cpp               batch_matmul (rank >= 2, broadcast batch dims, transpose_a/b)
//   activations.cpp          relu, sigmoid, tanh, relu6, hard_sigmoid, exponential (fusable Act ops;
//                            *_grad takes (dy, y))
//   activations_param.cpp    leaky_relu (negative_slope, max_value, threshold), elu (alpha), selu,
//                            gelu (approximate), softplus, silu, softsign (*_grad takes (dy, x))
//   activations_softmax.cpp  softmax, log_softmax over attr "axes" (*_grad takes (dy, y))
//   elementwise.cpp          add, subtract, multiply, divide, maximum, minimum, power, negative
//                            (+ maximum_grad, minimum_grad, power_grad), sum_to_shape, zeros_like, copy
//   unary_math.cpp           square, sqrt, exp, log, log1p, abs, sign, clip (+ unary_grad, clip_grad)
//   compare.cpp              equal, not_equal, greater, greater_equal, less, less_equal, logical_and,
//                            logical_or, logical_xor, logical_not (bool outputs, no gradient), where
//   reduce.cpp               sum, mean, max, min (axis absent = all, keepdims) (+ reduce_grad,
//                            reduce_extremum_grad), argmax, argmin (int32)
//   shape_ops.cpp            reshape (a view), cast, concatenate (+ concatenate_slice), transpose, one_hot
//   dropout.cpp              dropout (counter-based Philox mask; grad = dropout of dy, same attrs)
//   normalization.cpp        layer_normalization, batch_moments, batch_normalization,
//                            moving_average_update (stateful) (+ *_grad)
//   embedding.cpp            embedding (+ embedding_grad)
//   losses.cpp               reduce_loss (+ _grad), ignore_class_mask, class_weight_to_sample_weight
//   losses_elementwise.cpp   mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
//                            mean_squared_logarithmic_error, huber, log_cosh, hinge, squared_hinge,
//                            poisson, kl_divergence, binary_crossentropy, binary_focal_crossentropy
//                            (+ *_grad, attr wrt), sigmoid_binary_crossentropy_grad
//   losses_categorical.cpp   categorical_crossentropy, categorical_focal_crossentropy, categorical_hinge,
//                            cosine_similarity (+ *_grad), softmax_categorical_crossentropy_grad
//   losses_sparse.cpp        sparse_categorical_crossentropy (+ _grad, ignore_class),
//                            softmax_sparse_categorical_crossentropy_grad
//   metric_common.h/.cpp     shared metric shape rules, row-value kernel helper
//   metrics.cpp              metric_mean_update, metric_sum_update, metric_assign, metric_assign_add
//                            (stateful, in place), batch_size
//   accuracy_metrics.cpp     sparse_categorical_accuracy, categorical_accuracy, binary_accuracy,
//                            metric_accuracy, metric_binary_accuracy, metric_top_k_accuracy
//   confusion_metrics.cpp    metric_confusion_update (stateful)
//   regression_metrics.cpp   metric_mean_squared_error, metric_mean_absolute_error,
//                            metric_mean_absolute_percentage_error, metric_mean_squared_logarithmic_error,
//                            metric_cosine_similarity, metric_log_cosh, metric_r2_update (stateful)
//   probabilistic_metrics.cpp metric_binary_crossentropy, metric_categorical_crossentropy,
//                            metric_kl_divergence, metric_poisson
//   hinge_metrics.cpp        metric_hinge, metric_squared_hinge, metric_categorical_hinge
//   optimizers.cpp           flat-buffer update kernels (not graph ops), one functor per Keras rule
//   constraints.h/.cpp       max_norm, non_neg, unit_norm, min_max_norm projections (not graph ops),
//                            applied by the engine Optimizer after each update
#pragma once
#include "ops/registry.h"
