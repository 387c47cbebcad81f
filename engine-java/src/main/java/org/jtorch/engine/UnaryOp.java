package org.jtorch.engine;

/** Elementwise one-input operations; p1/p2 are the optional scalar parameters (clamp bounds, exponent...). */
public enum UnaryOp {
    NEG, ABS, SIGN, EXP, LOG, LOG2, LOG10, LOG1P, EXPM1, SQRT, RSQRT, SIN, COS, TAN, ASIN, ACOS, ATAN, SINH, COSH, TANH,
    SIGMOID, RELU, FLOOR, CEIL, ROUND, TRUNC, FRAC, RECIPROCAL, SQUARE,
    /** clamp(x, p1, p2); NaN bounds mean "none". */
    CLAMP,
    /** x ** p1. */
    POW,
    /** p1 ** x. */
    RPOW,
    NOT, ISNAN, ISINF, ISFINITE,
    /** erf-based GELU. */
    GELU,
    /** tanh-approximated GELU. */
    GELU_TANH,
    SILU, ERF,
    /** x > 0 ? x : p1 * x. */
    LEAKY_RELU,
    /** x > 0 ? x : p1 * (exp(x) - 1). */
    ELU,
    /** log(1 + exp(p1 * x)) / p1, linear above p2. */
    SOFTPLUS,
    /** clamp to [p1, p2] (hardtanh). */
    HARDTANH;

    /** Whether the result is bool whatever the input. */
    public boolean predicate() { return this == NOT || this == ISNAN || this == ISINF || this == ISFINITE; }

    /** Whether integer inputs keep their dtype (otherwise they are computed in the default float type). */
    public boolean integerClosed() {
        return switch (this) {
            case NEG, ABS, SIGN, RELU, FLOOR, CEIL, ROUND, TRUNC, CLAMP, SQUARE, NOT, ISNAN, ISINF, ISFINITE, HARDTANH -> true;
            default -> false;
        };
    }

    public double apply(double x, double p1, double p2) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Double.isNaN(x) ? 0 : Math.signum(x) + 0.0;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case LOG2 -> Math.log(x) / Math.log(2);
            case LOG10 -> Math.log10(x);
            case LOG1P -> Math.log1p(x);
            case EXPM1 -> Math.expm1(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TAN -> Math.tan(x);
            case ASIN -> Math.asin(x);
            case ACOS -> Math.acos(x);
            case ATAN -> Math.atan(x);
            case SINH -> Math.sinh(x);
            case COSH -> Math.cosh(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case RELU -> x > 0 ? x : (Double.isNaN(x) ? x : 0.0);
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x);
            case TRUNC -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case FRAC -> x - (x < 0 ? Math.ceil(x) : Math.floor(x));
            case RECIPROCAL -> 1.0 / x;
            case SQUARE -> x * x;
            case CLAMP -> {
                if (Double.isNaN(x)) yield x;
                double r = x;
                if (!Double.isNaN(p1) && r < p1) r = p1;
                if (!Double.isNaN(p2) && r > p2) r = p2;
                yield r;
            }
            case POW -> Math.pow(x, p1);
            case RPOW -> Math.pow(p1, x);
            case NOT -> x == 0 ? 1 : 0;
            case ISNAN -> Double.isNaN(x) ? 1 : 0;
            case ISINF -> Double.isInfinite(x) ? 1 : 0;
            case ISFINITE -> Double.isFinite(x) ? 1 : 0;
            case GELU -> 0.5 * x * (1.0 + Erf.erf(x / Math.sqrt(2.0)));
            case GELU_TANH -> 0.5 * x * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));
            case SILU -> x / (1.0 + Math.exp(-x));
            case ERF -> Erf.erf(x);
            case LEAKY_RELU -> x > 0 ? x : p1 * x;
            case ELU -> x > 0 ? x : p1 * Math.expm1(x);
            case SOFTPLUS -> x * p1 > p2 ? x : Math.log1p(Math.exp(x * p1)) / p1;
            case HARDTANH -> x < p1 ? p1 : (x > p2 ? p2 : x);
        };
    }

    /** Integer version, for ops that keep integer dtypes. */
    public long applyLong(long x, double p1, double p2) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Long.signum(x);
            case RELU -> Math.max(x, 0);
            case FLOOR, CEIL, ROUND, TRUNC -> x;
            case SQUARE -> x * x;
            case CLAMP -> {
                long r = x;
                if (!Double.isNaN(p1) && r < p1) r = (long) Math.ceil(p1);
                if (!Double.isNaN(p2) && r > p2) r = (long) Math.floor(p2);
                yield r;
            }
            case HARDTANH -> x < p1 ? (long) p1 : (x > p2 ? (long) p2 : x);
            case NOT -> x == 0 ? 1 : 0;
            case ISNAN, ISINF -> 0;
            case ISFINITE -> 1;
            default -> (long) apply(x, p1, p2);
        };
    }
}
