package org.jtorch.engine;

/** Reductions over a set of dimensions. */
public enum ReduceOp {
    SUM, PROD, MAX, MIN;

    double identity() {
        return switch (this) {
            case SUM -> 0;
            case PROD -> 1;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
    }
}
