// PKC_HD marks a function that both the CPU build (g++) and the CUDA kernels (nvcc) compile, so
// the two backends share one copy of a formula (Philox, the optimizer rules). Under g++ it is
// empty.
#pragma once

#if defined(__CUDACC__)
#define PKC_HD __host__ __device__
#else
#define PKC_HD
#endif
