// Elementwise kernels: fill, copy/cast, unary, binary, comparisons, where. Strided operands of one shape
// (broadcasting is done by the engine with stride-0 views). Floating math is done in double, as the CPU
// backend does, so results match it to float rounding.
#include "jt_common.cuh"

// Same order as org.jtorch.engine.UnaryOp (checked by PtxTest).
enum UOp { U_NEG, U_ABS, U_SIGN, U_EXP, U_LOG, U_LOG2, U_LOG10, U_LOG1P, U_EXPM1, U_SQRT, U_RSQRT, U_SIN, U_COS, U_TAN,
    U_ASIN, U_ACOS, U_ATAN, U_SINH, U_COSH, U_TANH, U_SIGMOID, U_RELU, U_FLOOR, U_CEIL, U_ROUND, U_TRUNC, U_FRAC,
    U_RECIPROCAL, U_SQUARE, U_CLAMP, U_POW, U_RPOW, U_NOT, U_ISNAN, U_ISINF, U_ISFINITE, U_GELU, U_GELU_TANH, U_SILU,
    U_ERF, U_LEAKY_RELU, U_ELU, U_SOFTPLUS, U_HARDTANH };

// Same order as org.jtorch.engine.BinaryOp (checked by PtxTest).
enum BOp { B_ADD, B_SUB, B_MUL, B_DIV, B_FLOOR_DIV, B_REMAINDER, B_FMOD, B_POW, B_MAXIMUM, B_MINIMUM, B_ATAN2,
    B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_LOGICAL_AND, B_LOGICAL_OR, B_LOGICAL_XOR, B_BITWISE_AND, B_BITWISE_OR,
    B_BITWISE_XOR };

__device__ __noinline__ double unary_d(int op, double x, double p1, double p2) {
    switch (op) {
    case U_NEG: return -x;
    case U_ABS: return fabs(x);
    case U_SIGN: return x != x ? 0.0 : (x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0));
    case U_EXP: return exp(x);
    case U_LOG: return log(x);
    case U_LOG2: return log(x) / log(2.0);
    case U_LOG10: return log10(x);
    case U_LOG1P: return log1p(x);
    case U_EXPM1: return expm1(x);
    case U_SQRT: return sqrt(x);
    case U_RSQRT: return 1.0 / sqrt(x);
    case U_SIN: return sin(x);
    case U_COS: return cos(x);
    case U_TAN: return tan(x);
    case U_ASIN: return asin(x);
    case U_ACOS: return acos(x);
    case U_ATAN: return atan(x);
    case U_SINH: return sinh(x);
    case U_COSH: return cosh(x);
    case U_TANH: return tanh(x);
    case U_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case U_RELU: return x > 0 ? x : (x != x ? x : 0.0);
    case U_FLOOR: return floor(x);
    case U_CEIL: return ceil(x);
    case U_ROUND: return rint(x);
    case U_TRUNC: return trunc(x);
    case U_FRAC: return x - trunc(x);
    case U_RECIPROCAL: return 1.0 / x;
    case U_SQUARE: return x * x;
    case U_CLAMP: {
        if (x != x) return x;
        double r = x;
        if (p1 == p1 && r < p1) r = p1;
        if (p2 == p2 && r > p2) r = p2;
        return r;
    }
    case U_POW: return pow(x, p1);
    case U_RPOW: return pow(p1, x);
    case U_NOT: return x == 0 ? 1.0 : 0.0;
    case U_ISNAN: return x != x ? 1.0 : 0.0;
    case U_ISINF: return isinf(x) ? 1.0 : 0.0;
    case U_ISFINITE: return isfinite(x) ? 1.0 : 0.0;
    case U_GELU: return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
    case U_GELU_TANH: return 0.5 * x * (1.0 + tanh(sqrt(2.0 / 3.141592653589793) * (x + 0.044715 * x * x * x)));
    case U_SILU: return x / (1.0 + exp(-x));
    case U_ERF: return erf(x);
    case U_LEAKY_RELU: return x > 0 ? x : p1 * x;
    case U_ELU: return x > 0 ? x : p1 * expm1(x);
    case U_SOFTPLUS: return x * p1 > p2 ? x : log1p(exp(x * p1)) / p1;
    case U_HARDTANH: return x < p1 ? p1 : (x > p2 ? p2 : x);
    }
    return 0.0 / 0.0;
}

// UnaryOp.applyLong
__device__ __noinline__ i64 unary_l(int op, i64 x, double p1, double p2) {
    switch (op) {
    case U_NEG: return -x;
    case U_ABS: return x < 0 ? -x : x;
    case U_SIGN: return x > 0 ? 1 : (x < 0 ? -1 : 0);
    case U_RELU: return x > 0 ? x : 0;
    case U_FLOOR: case U_CEIL: case U_ROUND: case U_TRUNC: return x;
    case U_SQUARE: return x * x;
    case U_CLAMP: {
        i64 r = x;
        if (p1 == p1 && r < p1) r = (i64) ceil(p1);
        if (p2 == p2 && r > p2) r = (i64) floor(p2);
        return r;
    }
    case U_HARDTANH: return x < p1 ? (i64) p1 : (x > p2 ? (i64) p2 : x);
    case U_NOT: return x == 0 ? 1 : 0;
    case U_ISNAN: case U_ISINF: return 0;
    case U_ISFINITE: return 1;
    }
    return (i64) unary_d(op, (double) x, p1, p2);
}

// BinaryOp.floorDivide
__device__ double floor_divide(double a, double b) {
    if (b == 0) return a / b;
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= 1.0;
    double fl;
    if (div != 0) {
        fl = floor(div);
        if (div - fl > 0.5) fl += 1.0;
    } else {
        fl = copysign(0.0, a / b);
    }
    return fl;
}

__device__ __noinline__ double binary_d(int op, double a, double b) {
    switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_FLOOR_DIV: return floor_divide(a, b);
    case B_REMAINDER: { double r = fmod(a, b); return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r; }
    case B_FMOD: return fmod(a, b);
    case B_POW: return pow(a, b);
    case B_MAXIMUM: return (a != a || b != b) ? (0.0 / 0.0) : fmax(a, b);
    case B_MINIMUM: return (a != a || b != b) ? (0.0 / 0.0) : fmin(a, b);
    case B_ATAN2: return atan2(a, b);
    case B_EQ: return a == b;
    case B_NE: return a != b;
    case B_LT: return a < b;
    case B_LE: return a <= b;
    case B_GT: return a > b;
    case B_GE: return a >= b;
    case B_LOGICAL_AND: return (a != 0 && b != 0);
    case B_LOGICAL_OR: return (a != 0 || b != 0);
    case B_LOGICAL_XOR: return ((a != 0) != (b != 0));
    }
    return 0.0 / 0.0; // bitwise ops are refused for floating types by the engine
}

__device__ i64 floor_div_l(i64 a, i64 b) {
    if (b == 0) return 0; // the CPU backend raises; a kernel cannot (documented in docs/cuda.md)
    i64 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

__device__ __noinline__ i64 binary_l(int op, i64 a, i64 b) {
    switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_FLOOR_DIV: return floor_div_l(a, b);
    case B_REMAINDER: { if (b == 0) return 0; i64 r = a % b; return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r; }
    case B_FMOD: return b == 0 ? 0 : a % b;
    case B_POW: {
        if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) == 0 ? 1 : -1) : 0);
        i64 r = 1, base = a, e = b;
        while (e > 0) { if (e & 1) r *= base; base *= base; e >>= 1; }
        return r;
    }
    case B_MAXIMUM: return a > b ? a : b;
    case B_MINIMUM: return a < b ? a : b;
    case B_EQ: return a == b;
    case B_NE: return a != b;
    case B_LT: return a < b;
    case B_LE: return a <= b;
    case B_GT: return a > b;
    case B_GE: return a >= b;
    case B_LOGICAL_AND: return (a != 0 && b != 0);
    case B_LOGICAL_OR: return (a != 0 || b != 0);
    case B_LOGICAL_XOR: return ((a != 0) != (b != 0));
    case B_BITWISE_AND: return a & b;
    case B_BITWISE_OR: return a | b;
    case B_BITWISE_XOR: return a ^ b;
    }
    return 0;
}

template <typename T>
__device__ __forceinline__ T unary_t(int op, T x, double p1, double p2) {
    if (IsFloat<T>::v) return (T) unary_d(op, (double) x, p1, p2);
    return from_long<T>(unary_l(op, (i64) x, p1, p2));
}

template <typename T>
__device__ __forceinline__ double unary_pred(int op, T x, double p1, double p2) {
    if (IsFloat<T>::v) return unary_d(op, (double) x, p1, p2);
    return (double) unary_l(op, (i64) x, p1, p2);
}

template <typename T>
__device__ __forceinline__ T binary_t(int op, T a, T b) {
    if (IsFloat<T>::v) return (T) binary_d(op, (double) a, (double) b);
    return from_long<T>(binary_l(op, (i64) a, (i64) b));
}

template <typename T>
__device__ __forceinline__ bool compare_t(int op, T a, T b) {
    if (IsFloat<T>::v) return binary_d(op, (double) a, (double) b) != 0;
    return binary_l(op, (i64) a, (i64) b) != 0;
}

// ---------------------------------------------------------------- kernels, one per element type

#define ELEMENTWISE(S, T)                                                                                   \
extern "C" __global__ void fill_##S(T* out, Geo g, double v) {                                             \
    GRID_STRIDE(i, g.n) { int o[1]; geo_offsets<1>(g, i, o); out[o[0]] = IsFloat<T>::v ? (T) v : from_long<T>((i64) v); } \
}                                                                                                           \
extern "C" __global__ void unary_##S(const T* a, T* out, Geo g, int op, double p1, double p2) {            \
    GRID_STRIDE(i, g.n) { int o[2]; geo_offsets<2>(g, i, o); out[o[1]] = unary_t<T>(op, a[o[0]], p1, p2); } \
}                                                                                                           \
extern "C" __global__ void predicate_##S(const T* a, b8* out, Geo g, int op, double p1, double p2) {       \
    GRID_STRIDE(i, g.n) { int o[2]; geo_offsets<2>(g, i, o); out[o[1]] = unary_pred<T>(op, a[o[0]], p1, p2) != 0; } \
}                                                                                                           \
extern "C" __global__ void binary_##S(const T* a, const T* b, T* out, Geo g, int op) {                     \
    GRID_STRIDE(i, g.n) { int o[3]; geo_offsets<3>(g, i, o); out[o[2]] = binary_t<T>(op, a[o[0]], b[o[1]]); } \
}                                                                                                           \
extern "C" __global__ void compare_##S(const T* a, const T* b, b8* out, Geo g, int op) {                   \
    GRID_STRIDE(i, g.n) { int o[3]; geo_offsets<3>(g, i, o); out[o[2]] = compare_t<T>(op, a[o[0]], b[o[1]]); } \
}                                                                                                           \
extern "C" __global__ void where_##S(const b8* c, const T* a, const T* b, T* out, Geo g) {                 \
    GRID_STRIDE(i, g.n) { int o[4]; geo_offsets<4>(g, i, o); out[o[3]] = c[o[0]] ? a[o[1]] : b[o[2]]; }    \
}
FOR_ALL_TYPES(ELEMENTWISE)

// copy with conversion, src type S1 to destination type S2 (CpuBackend.copy: via long between integer types)
template <typename A, typename B>
__device__ __forceinline__ B convert(A v) {
    if (!IsFloat<A>::v && !IsFloat<B>::v) return from_long<B>((i64) v);
    return from_double<B>((double) v);
}
template <> __device__ __forceinline__ float convert<float, float>(float v) { return v; }
template <> __device__ __forceinline__ double convert<double, double>(double v) { return v; }
template <> __device__ __forceinline__ float convert<double, float>(double v) { return (float) v; }

#define COPY_TO(S1, T1, S2, T2)                                                                             \
extern "C" __global__ void copy_##S1##_##S2(const T1* a, T2* out, Geo g) {                                  \
    GRID_STRIDE(i, g.n) { int o[2]; geo_offsets<2>(g, i, o); out[o[1]] = convert<T1, T2>(a[o[0]]); }         \
}
#define COPY_FROM(S1, T1) COPY_TO(S1, T1, f32, float) COPY_TO(S1, T1, f64, double) COPY_TO(S1, T1, i64, i64) \
    COPY_TO(S1, T1, i32, int) COPY_TO(S1, T1, b8, b8)
FOR_ALL_TYPES(COPY_FROM)
