# cuda/cuda.cmake — builds the optional `_cuda` extension. Included by the top-level CMakeLists
# after the targets `pykerascore` (shared core) and `_core` exist and Python + pybind11 are found.
# Rules of cuda/ (also in cuda/README.md):
#   * device code only in .cu files; .cuh headers must also compile as plain C++ (no __global__);
#   * files in cuda/ops include only cuda/common (and CUDA/cuBLAS/CUB headers), never each other,
#     except the shared formula headers named in cuda/README.md (philox.h, optimizer_rules.h,
#     act_math.cuh);
#   * cuda/ops basenames mirror csrc/ops (cuda/ops/dense.cu <-> csrc/ops/dense.cpp);
#   * cuda/bindings only converts arguments and calls .def — logic lives in cuda/common, cuda/ops.
# Must not: touch other targets, or give _cuda an rpath to the cuBLAS wheel (Python preloads
# libcublasLt/libcublas by absolute path before importing _cuda; pykerascore/backend/cuda.py).
# Linux only. PYKERASCORE_CUDA: AUTO (build if nvcc + cuBLAS found), ON (required), OFF.

set(_pkc_cuda_dir "${CMAKE_CURRENT_LIST_DIR}")
get_filename_component(_pkc_repo_root "${_pkc_cuda_dir}/.." ABSOLUTE)
string(TOUPPER "${PYKERASCORE_CUDA}" _pkc_cuda_mode)
if(_pkc_cuda_mode STREQUAL "OFF" OR _pkc_cuda_mode STREQUAL "FALSE" OR _pkc_cuda_mode STREQUAL "0")
  message(STATUS "pykerascore: _cuda skipped (PYKERASCORE_CUDA=OFF)")
  return()
endif()
if(_pkc_cuda_mode STREQUAL "TRUE" OR _pkc_cuda_mode STREQUAL "1")
  set(_pkc_cuda_mode "ON")
endif()
if(NOT _pkc_cuda_mode STREQUAL "ON" AND NOT _pkc_cuda_mode STREQUAL "AUTO")
  message(FATAL_ERROR "PYKERASCORE_CUDA must be AUTO, ON or OFF (got '${PYKERASCORE_CUDA}')")
endif()

# ON: stop with the reason. AUTO: say why and stop reading this file (return() in a macro
# returns from the including scope, i.e. this file).
macro(_pkc_cuda_unavailable reason)
  if(_pkc_cuda_mode STREQUAL "ON")
    message(FATAL_ERROR "pykerascore: PYKERASCORE_CUDA=ON but ${reason}")
  endif()
  message(STATUS "pykerascore: _cuda skipped (PYKERASCORE_CUDA=AUTO): ${reason}")
  return()
endmacro()

# --- 1. a working nvcc, CUDA >= 12 (sm_90a needs 12.0) -------------------------------------
if(CMAKE_CUDA_COMPILER AND NOT IS_ABSOLUTE "${CMAKE_CUDA_COMPILER}")
  find_program(_pkc_nvcc_path NAMES "${CMAKE_CUDA_COMPILER}")
  if(_pkc_nvcc_path)
    set(CMAKE_CUDA_COMPILER "${_pkc_nvcc_path}" CACHE FILEPATH "CUDA compiler" FORCE)
  endif()
endif()
if(CMAKE_CUDA_COMPILER AND NOT EXISTS "${CMAKE_CUDA_COMPILER}")
  _pkc_cuda_unavailable("CMAKE_CUDA_COMPILER='${CMAKE_CUDA_COMPILER}' does not exist")
endif()
include(CheckLanguage)
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  _pkc_cuda_unavailable("no working CUDA compiler (nvcc) found; put nvcc on PATH or set CUDACXX / CMAKE_CUDA_COMPILER")
endif()
execute_process(COMMAND "${CMAKE_CUDA_COMPILER}" --version
  OUTPUT_VARIABLE _pkc_nvcc_out ERROR_QUIET RESULT_VARIABLE _pkc_nvcc_rc)
string(REGEX MATCH "release ([0-9]+)\\.([0-9]+)" _pkc_nvcc_release "${_pkc_nvcc_out}")
if(NOT _pkc_nvcc_rc EQUAL 0 OR NOT _pkc_nvcc_release)
  _pkc_cuda_unavailable("'${CMAKE_CUDA_COMPILER} --version' did not report a CUDA release")
endif()
set(_pkc_cuda_major "${CMAKE_MATCH_1}")
if(_pkc_cuda_major LESS 12)
  _pkc_cuda_unavailable("nvcc ${CMAKE_MATCH_1}.${CMAKE_MATCH_2} is too old (CUDA >= 12 is required)")
endif()

if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES AND NOT DEFINED ENV{CUDAARCHS})
  set(CMAKE_CUDA_ARCHITECTURES "90a-real;90-virtual" CACHE STRING
      "CUDA architectures for _cuda (default: Hopper SASS + compute_90 PTX)")
endif()
enable_language(CUDA)
find_package(CUDAToolkit)
if(NOT CUDAToolkit_FOUND)
  _pkc_cuda_unavailable("nvcc was found but CMake's FindCUDAToolkit could not locate its toolkit")
endif()

# --- 2. cuBLAS + cuBLASLt: PYKERASCORE_CUBLAS_ROOT, else the nvidia wheel, else the toolkit --
set(PYKERASCORE_CUBLAS_ROOT "" CACHE PATH "Directory with include/cublasLt.h and lib/libcublas*.so*")
set(_pkc_cublas_root "${PYKERASCORE_CUBLAS_ROOT}")
if(NOT _pkc_cublas_root AND DEFINED ENV{PYKERASCORE_CUBLAS_ROOT})
  set(_pkc_cublas_root "$ENV{PYKERASCORE_CUBLAS_ROOT}")
endif()

# Sets PKC_CUBLAS_INCLUDE_DIR, PKC_CUBLAS_LIBRARY, PKC_CUBLASLT_LIBRARY if all four files are in
# <inc_dir> and one <lib_dir>; leaves them untouched otherwise.
function(_pkc_probe_cublas inc_dir)
  if(PKC_CUBLAS_LIBRARY OR NOT EXISTS "${inc_dir}/cublasLt.h" OR NOT EXISTS "${inc_dir}/cublas_v2.h")
    return()
  endif()
  foreach(_lib_dir IN LISTS ARGN)
    foreach(_suffix ".so.${_pkc_cuda_major}" ".so" ".so.13" ".so.12")
      if(EXISTS "${_lib_dir}/libcublas${_suffix}" AND EXISTS "${_lib_dir}/libcublasLt${_suffix}")
        set(PKC_CUBLAS_INCLUDE_DIR "${inc_dir}" PARENT_SCOPE)
        set(PKC_CUBLAS_LIBRARY "${_lib_dir}/libcublas${_suffix}" PARENT_SCOPE)
        set(PKC_CUBLASLT_LIBRARY "${_lib_dir}/libcublasLt${_suffix}" PARENT_SCOPE)
        return()
      endif()
    endforeach()
  endforeach()
endfunction()

unset(PKC_CUBLAS_LIBRARY)
if(_pkc_cublas_root)
  _pkc_probe_cublas("${_pkc_cublas_root}/include" "${_pkc_cublas_root}/lib" "${_pkc_cublas_root}/lib64")
  if(NOT PKC_CUBLAS_LIBRARY)
    _pkc_cuda_unavailable("PYKERASCORE_CUBLAS_ROOT='${_pkc_cublas_root}' lacks include/cublasLt.h, include/cublas_v2.h or lib/libcublas{,Lt}.so*")
  endif()
  set(_pkc_cublas_from "PYKERASCORE_CUBLAS_ROOT")
else()
  # The build interpreter's `nvidia` namespace package: nvidia/cu13 (nvidia-cublas for CUDA 13)
  # or nvidia/cublas (nvidia-cublas-cu12 and older). Also look in its site-packages directly:
  # pip's build isolation hides them from sys.path but not from sysconfig.
  set(_pkc_find_nvidia [=[
import importlib.util as u, os, site, sysconfig
s = u.find_spec('nvidia')
dirs = list(s.submodule_search_locations or []) if s else []
roots = [sysconfig.get_paths()[k] for k in ('purelib', 'platlib')] + [site.USER_SITE or '']
dirs += [os.path.join(r, 'nvidia') for r in roots if r and os.path.isdir(os.path.join(r, 'nvidia'))]
print(';'.join(dict.fromkeys(os.path.realpath(d) for d in dirs)))
]=])
  execute_process(COMMAND "${Python_EXECUTABLE}" -c "${_pkc_find_nvidia}"
    OUTPUT_VARIABLE _pkc_nvidia_dirs OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  foreach(_dir IN LISTS _pkc_nvidia_dirs)
    foreach(_sub "cu${_pkc_cuda_major}" "cublas" "cu13" "cu12")
      _pkc_probe_cublas("${_dir}/${_sub}/include" "${_dir}/${_sub}/lib" "${_dir}/${_sub}/lib64")
    endforeach()
  endforeach()
  set(_pkc_cublas_from "the nvidia wheel")
  if(NOT PKC_CUBLAS_LIBRARY)
    foreach(_inc IN LISTS CUDAToolkit_INCLUDE_DIRS)
      _pkc_probe_cublas("${_inc}" "${CUDAToolkit_LIBRARY_DIR}")
    endforeach()
    set(_pkc_cublas_from "the CUDA toolkit")
  endif()
  if(NOT PKC_CUBLAS_LIBRARY)
    _pkc_cuda_unavailable("cuBLAS/cuBLASLt headers and libraries not found (searched PYKERASCORE_CUBLAS_ROOT, the nvidia wheel of ${Python_EXECUTABLE}, and ${CUDAToolkit_LIBRARY_DIR}); pip install nvidia-cublas or set PYKERASCORE_CUBLAS_ROOT")
  endif()
endif()

file(STRINGS "${PKC_CUBLAS_INCLUDE_DIR}/cublas_api.h" _pkc_cublas_major_line
     REGEX "#define CUBLAS_VER_MAJOR [0-9]+")
string(REGEX MATCH "[0-9]+" _pkc_cublas_major "${_pkc_cublas_major_line}")
if(_pkc_cublas_major AND NOT _pkc_cublas_major STREQUAL _pkc_cuda_major)
  message(WARNING "pykerascore: cuBLAS ${_pkc_cublas_major} (${PKC_CUBLAS_LIBRARY}) does not match CUDA ${_pkc_cuda_major} (${CMAKE_CUDA_COMPILER})")
endif()
message(STATUS "pykerascore: building _cuda with CUDA ${CMAKE_CUDA_COMPILER_VERSION} for "
               "'${CMAKE_CUDA_ARCHITECTURES}', cuBLAS ${_pkc_cublas_major} from ${_pkc_cublas_from}: ${PKC_CUBLAS_LIBRARY}")

# --- 3. the extension ---------------------------------------------------------------------------
file(GLOB_RECURSE PKC_CUDA_SOURCES CONFIGURE_DEPENDS "${_pkc_cuda_dir}/*.cu")
file(GLOB PKC_CUDA_BINDING_SOURCES CONFIGURE_DEPENDS "${_pkc_cuda_dir}/bindings/*.cpp")
# cuda/registry: plain C++ glue that installs the CUDA kernels into the shared op registry.
file(GLOB PKC_CUDA_REGISTRY_SOURCES CONFIGURE_DEPENDS "${_pkc_cuda_dir}/registry/*.cpp")
# The NumPy <-> Tensor conversions of _core's bindings, compiled into _cuda too (one copy of the
# code, two modules; each module keeps its own hidden symbols).
pybind11_add_module(_cuda MODULE ${PKC_CUDA_SOURCES} ${PKC_CUDA_BINDING_SOURCES} ${PKC_CUDA_REGISTRY_SOURCES}
                    "${_pkc_repo_root}/csrc/bindings/convert.cpp")
# Sources include "cuda/common/..." and "cuda/ops/..." relative to the repository root.
target_include_directories(_cuda PRIVATE "${_pkc_repo_root}")
target_include_directories(_cuda SYSTEM PRIVATE "${PKC_CUBLAS_INCLUDE_DIR}")
# cuBLAS by full path: DT_NEEDED gets the soname (libcublas.so.13) and no rpath is needed.
target_link_libraries(_cuda PRIVATE pykerascore CUDA::cudart_static
                      "${PKC_CUBLAS_LIBRARY}" "${PKC_CUBLASLT_LIBRARY}")
target_compile_options(_cuda PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr>)
set_target_properties(_cuda PROPERTIES
  CUDA_STANDARD 17
  CUDA_STANDARD_REQUIRED ON
  CUDA_RUNTIME_LIBRARY None          # cudart_static is linked explicitly above
  INSTALL_RPATH "$ORIGIN"
  BUILD_WITH_INSTALL_RPATH ON)       # build tree too: no rpath into the cuBLAS wheel
install(TARGETS _cuda LIBRARY DESTINATION pykerascore)
