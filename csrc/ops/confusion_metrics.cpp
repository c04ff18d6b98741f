// Confusion-matrix accumulator: `metric_confusion_update` adds a batch's weighted true/false
// positive/negative counts, per threshold (and per label for multi-label AUC), into one state
// variable in place. It follows Keras's update_confusion_matrix_variables: the bucketed path for
// evenly spaced thresholds, the compare-per-threshold path otherwise, top_k / class_id filters.
// Results (precision, recall, AUC) are computed from the counts in Python, once per execution.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ops/elementwise.h"
#include "ops/metric_common.h"

namespace pkc {
namespace {

constexpr double kNegInf = -1e10;  // Keras's NEG_INF for predictions outside the top k

// state [4, T] (or [4, T, L] with multi_label): rows tp, fp, tn, fn.
// inputs: state, y_true, y_pred (same shape)[, sample_weight broadcasting onto y_pred's shape,
// with the last axis of size 1 when class_id is set].
// attrs: thresholds (floats), evenly (0/1), top_k (0: none), class_id (-1: none),
// multi_label (0/1), label_weights (floats, per class; not with multi_label), from_logits (0/1).
std::vector<TensorInfo> confusion_infer(const ShapeCtx& c) {
  check_num_inputs(c, 3, 4);
  DType dt = check_floating(c, 0);
  for (size_t i = 1; i < c.in.size(); ++i)
    PKC_CHECK(c.in[i].dtype == dt, Type, c.node, ": input ", i, " must be ", dtype_name(dt), " like the state, got ",
              dtype_name(c.in[i].dtype));
  const Shape& t = c.in[1].shape;
  const Shape& p = c.in[2].shape;
  bool same = t.size() == p.size();
  for (size_t i = 0; same && i < t.size(); ++i) same = t[i] == p[i] || t[i] < 0 || p[i] < 0;
  PKC_CHECK(same, Value, c.node, ": y_true shape ", shape_str(t), " does not match y_pred shape ", shape_str(p));
  const int64_t T = static_cast<int64_t>(c.attrs.floats("thresholds").size());
  PKC_CHECK(T >= 1, Value, c.node, ": needs at least one threshold");
  const bool multi = c.attrs.i("multi_label", 0) != 0;
  const int64_t class_id = c.attrs.i("class_id", -1);
  const int64_t top_k = c.attrs.i("top_k", 0);
  const int64_t C = p.empty() ? 1 : p.back();
  if (class_id >= 0) {
    PKC_CHECK(p.size() >= 2, Value, c.node, ": class_id needs y_pred of shape (num_samples, num_classes), got ",
              shape_str(p));
    PKC_CHECK(C < 0 || class_id < C, Value, c.node, ": class_id ", class_id, " is out of range for y_pred shape ",
              shape_str(p));
  }
  if (top_k > 0) PKC_CHECK(C < 0 || top_k <= C, Value, c.node, ": top_k=", top_k, " exceeds the ", C, " classes of y_pred");
  if (multi) {
    PKC_CHECK(p.size() == 2, Value, c.node, ": multi_label needs y_pred of rank 2, got ", shape_str(p));
    PKC_CHECK(c.in[0].shape == (Shape{4, T, p[1]}), Value, c.node, ": state must have shape ",
              shape_str(Shape{4, T, p[1]}), ", got ", shape_str(c.in[0].shape));
  } else {
    PKC_CHECK(c.in[0].shape == (Shape{4, T}), Value, c.node, ": state must have shape ", shape_str(Shape{4, T}),
              ", got ", shape_str(c.in[0].shape));
  }
  const std::vector<double> lw = c.attrs.floats("label_weights");
  if (!lw.empty()) PKC_CHECK(C < 0 || static_cast<int64_t>(lw.size()) == C, Value, c.node, ": ", lw.size(),
                             " label_weights for y_pred shape ", shape_str(p));
  if (c.in.size() == 4) {
    Shape target = p;
    if (class_id >= 0) target.back() = 1;
    Shape b = broadcast_shapes(c.in[3].shape, target, c.node);
    bool ok = b.size() == target.size();
    for (size_t i = 0; ok && i < b.size(); ++i) ok = b[i] == target[i] || target[i] < 0;
    PKC_CHECK(ok, Value, c.node, ": sample_weight shape ", shape_str(c.in[3].shape), " does not broadcast to ",
              shape_str(target));
  }
  return {};
}

template <typename T>
Kernel confusion_kernel(const KernelArgs& a) {
  T* state = a.in[0].ptr<T>();
  const T* yt = a.in[1].ptr<T>();
  const T* yp = a.in[2].ptr<T>();
  const T* sw = a.in.size() == 4 ? a.in[3].ptr<T>() : nullptr;
  const Shape& ps = a.in[2].shape;
  const int64_t C = ps.empty() ? 1 : ps.back();
  const int64_t rows = C ? a.in[2].numel() / C : 0;
  const std::vector<double> thr_d = a.attrs.floats("thresholds");
  const int64_t NT = static_cast<int64_t>(thr_d.size());
  std::vector<T> thr(thr_d.begin(), thr_d.end());  // Keras compares in the metric's dtype
  const bool evenly = a.attrs.i("evenly", 0) != 0;
  const bool with_eps = evenly && (thr_d.front() < 0.0 || thr_d.back() > 1.0);
  const bool multi = a.attrs.i("multi_label", 0) != 0;
  const int64_t class_id = a.attrs.i("class_id", -1);
  const int64_t top_k = a.attrs.i("top_k", 0);
  const bool from_logits = a.attrs.i("from_logits", 0) != 0;
  const std::vector<double> lw = a.attrs.floats("label_weights");
  const int64_t L = multi ? C : 1;
  // Weight index of element (row r, column c): strides over the (class-sliced) target shape.
  Shape wtarget = ps.empty() ? Shape{1} : ps;
  if (class_id >= 0) wtarget.back() = 1;
  std::vector<int64_t> wstr;
  if (sw) {
    Shape ws = a.in[3].shape;
    if (ps.empty() && ws.empty()) ws = Shape{1};
    wstr = broadcast_strides(ws, wtarget);
  }
  const int64_t c_lo = class_id >= 0 ? class_id : 0, c_hi = class_id >= 0 ? class_id + 1 : C;
  // Scratch owned by the closure (allocated here, reused every step): bucket sums per
  // (threshold, label), label totals, compare-path counts, the top-k mask. Sums are in double.
  std::vector<double> tp_b(static_cast<size_t>(NT * L)), fp_b(tp_b.size()), pos_tot(L), neg_tot(L);
  std::vector<double> counts(evenly ? 0 : static_cast<size_t>(4 * NT * L));  // compare path
  std::vector<char> in_top(static_cast<size_t>(C));
  std::vector<int64_t> order(static_cast<size_t>(C));
  return [=]() mutable {
    std::fill(tp_b.begin(), tp_b.end(), 0.0);
    std::fill(fp_b.begin(), fp_b.end(), 0.0);
    std::fill(pos_tot.begin(), pos_tot.end(), 0.0);
    std::fill(neg_tot.begin(), neg_tot.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0.0);
    const int64_t rank = static_cast<int64_t>(wtarget.size());
    for (int64_t r = 0; r < rows; ++r) {
      const T* pr = yp + r * C;
      if (top_k > 0) {
        // Keras keeps the k largest scores of the row (ties: lower index first) and sets the
        // others to NEG_INF.
        std::iota(order.begin(), order.end(), int64_t{0});
        std::partial_sort(order.begin(), order.begin() + top_k, order.end(), [&](int64_t i, int64_t j) {
          return pr[i] > pr[j] || (pr[i] == pr[j] && i < j);
        });
        std::fill(in_top.begin(), in_top.end(), 0);
        for (int64_t j = 0; j < top_k; ++j) in_top[order[j]] = 1;
      }
      // Offset of this row's weights: the row index unravelled over the leading target dims.
      int64_t wrow = 0;
      if (sw) {
        int64_t rem = r;
        for (int64_t d = rank - 2; d >= 0; --d) {
          int64_t idx = rem % wtarget[d];
          rem /= wtarget[d];
          wrow += idx * wstr[d];
        }
      }
      for (int64_t c = c_lo; c < c_hi; ++c) {
        T p = pr[c];
        if (from_logits) p = T(1) / (T(1) + std::exp(-p));
        if (top_k > 0 && !in_top[c]) p = static_cast<T>(kNegInf);
        const bool label = yt[r * C + c] != T(0);
        double w = 1.0;
        if (sw) w = static_cast<double>(sw[wrow + (class_id >= 0 ? 0 : c) * wstr[rank - 1]]);
        if (!lw.empty() && !multi) w *= lw[c];
        const int64_t l = multi ? c : 0;
        if (evenly) {
          // Bucket of a score: ceil(p * (T - 1)) - 1 in the metric's dtype, so the count at
          // threshold i is the sum over buckets >= i (scores equal to a threshold fall below it).
          T pc = std::min(std::max(p, T(0)), T(1));
          int64_t b = static_cast<int64_t>(std::ceil(pc * static_cast<T>(NT - 1))) - 1;
          if (with_eps) b = std::max<int64_t>(b, 0);
          if (b >= 0 && b < NT) (label ? tp_b : fp_b)[b * L + l] += w;
          (label ? pos_tot : neg_tot)[l] += w;
        } else {
          const int64_t plane = NT * L;
          for (int64_t i = 0; i < NT; ++i) {
            const bool pos = p > thr[i];
            const int64_t row = label ? (pos ? 0 : 3) : (pos ? 1 : 2);
            counts[row * plane + i * L + l] += w;
          }
        }
      }
    }
    const int64_t plane = NT * L;
    if (!evenly) {
      for (int64_t j = 0; j < 4 * plane; ++j) state[j] += static_cast<T>(counts[j]);
      return;
    }
    for (int64_t l = 0; l < L; ++l) {
      double tp = 0.0, fp = 0.0;
      for (int64_t i = NT - 1; i >= 0; --i) {
        tp += tp_b[i * L + l];
        fp += fp_b[i * L + l];
        state[0 * plane + i * L + l] += static_cast<T>(tp);
        state[1 * plane + i * L + l] += static_cast<T>(fp);
        state[2 * plane + i * L + l] += static_cast<T>(neg_tot[l] - fp);
        state[3 * plane + i * L + l] += static_cast<T>(pos_tot[l] - tp);
      }
    }
  };
}

PKC_REGISTER_OP({.name = "metric_confusion_update", .infer = confusion_infer, .kernel = {PKC_FLOAT_KERNEL(confusion_kernel)}, .mutates_input = 0});

}  // namespace
}  // namespace pkc
