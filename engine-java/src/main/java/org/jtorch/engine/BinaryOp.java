package org.jtorch.engine;

/** Elementwise two-input operations; both inputs are given in the compute dtype. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, FLOOR_DIV, REMAINDER, FMOD, POW, MAXIMUM, MINIMUM, ATAN2,
    EQ, NE, LT, LE, GT, GE, LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR, BITWISE_AND, BITWISE_OR, BITWISE_XOR;

    public boolean comparison() { return ordinal() >= EQ.ordinal() && ordinal() <= LOGICAL_XOR.ordinal(); }

    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case FLOOR_DIV -> floorDivide(a, b);
            case REMAINDER -> {
                double r = a % b;
                yield (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
            }
            case FMOD -> a % b;
            case POW -> Math.pow(a, b);
            case MAXIMUM -> (Double.isNaN(a) || Double.isNaN(b)) ? Double.NaN : Math.max(a, b);
            case MINIMUM -> (Double.isNaN(a) || Double.isNaN(b)) ? Double.NaN : Math.min(a, b);
            case ATAN2 -> Math.atan2(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case LOGICAL_AND -> (a != 0 && b != 0) ? 1 : 0;
            case LOGICAL_OR -> (a != 0 || b != 0) ? 1 : 0;
            case LOGICAL_XOR -> ((a != 0) != (b != 0)) ? 1 : 0;
            case BITWISE_AND, BITWISE_OR, BITWISE_XOR -> throw TorchException.runtime("\"bitwise_" + name().substring(8).toLowerCase() + "_cpu\" not implemented for 'Float'");
        };
    }

    /** Python's (and PyTorch's) floor division of floating values: exact where floor(a / b) is not. */
    static double floorDivide(double a, double b) {
        if (b == 0) return a / b;
        double mod = a % b;
        double div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) div -= 1.0;
        double fl;
        if (div != 0) {
            fl = Math.floor(div);
            if (div - fl > 0.5) fl += 1.0;
        } else {
            fl = Math.copySign(0.0, a / b);
        }
        return fl;
    }

    public long applyLong(long a, long b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> throw new IllegalStateException("true division is computed in floating point");
            case FLOOR_DIV -> {
                if (b == 0) throw TorchException.runtime("ZeroDivisionError");
                yield Math.floorDiv(a, b);
            }
            case REMAINDER -> {
                if (b == 0) throw TorchException.runtime("ZeroDivisionError");
                yield Math.floorMod(a, b);
            }
            case FMOD -> {
                if (b == 0) throw TorchException.runtime("ZeroDivisionError");
                yield a % b;
            }
            case POW -> {
                if (b < 0) {
                    if (a == 1) yield 1;
                    if (a == -1) yield (b & 1) == 0 ? 1 : -1;
                    yield 0;
                }
                long r = 1, base = a, e = b;
                while (e > 0) { if ((e & 1) != 0) r *= base; base *= base; e >>= 1; }
                yield r;
            }
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case ATAN2 -> throw new IllegalStateException("atan2 is computed in floating point");
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case LOGICAL_AND -> (a != 0 && b != 0) ? 1 : 0;
            case LOGICAL_OR -> (a != 0 || b != 0) ? 1 : 0;
            case LOGICAL_XOR -> ((a != 0) != (b != 0)) ? 1 : 0;
            case BITWISE_AND -> a & b;
            case BITWISE_OR -> a | b;
            case BITWISE_XOR -> a ^ b;
        };
    }
}
