package org.jtorch.autograd;

import static org.jtorch.autograd.G.*;

import java.util.Arrays;
import org.jtorch.engine.BinaryOp;
import org.jtorch.engine.DType;
import org.jtorch.engine.Ops;
import org.jtorch.engine.ReduceOp;
import org.jtorch.engine.Shape;
import org.jtorch.engine.Tensor;
import org.jtorch.engine.TorchException;
import org.jtorch.engine.UnaryOp;

/**
 * The differentiable operations. Each op is declared once: the forward (engine call) and, right next to
 * it, the backward closure recorded when an input requires grad. Called from Java directly or from the
 * Python shim.
 */
public final class Torch {
    private Torch() {}

    // ================================================================ recording helpers

    /** Backward of a single-output op: gradient of the output in, input gradients out. */
    @FunctionalInterface
    interface B1 { Tensor[] apply(Tensor g); }

    static boolean needs(Variable a) { return a.requiresGrad && GradMode.isEnabled(); }

    static boolean needs(Variable a, Variable b) { return (a.requiresGrad || b.requiresGrad) && GradMode.isEnabled(); }

    static Variable plain(Tensor t) { return new Variable(t); }

    static Variable record(String name, Tensor out, Tensor[] saved, B1 fn, Variable... inputs) {
        if (!out.dtype.isFloating()) return new Variable(out);
        Node n = new Node(name, gs -> fn.apply(gs[0] != null ? gs[0] : zeros(out)), inputs, saved, 1);
        Variable r = new Variable(out);
        r.requiresGrad = true;
        r.gradFn = n;
        return r;
    }

    static Tensor[] saved(Tensor... ts) { return ts; }

    /** Records a user-defined backward (torch.autograd.Function) over several outputs. */
    public interface CustomBackward { Variable[] apply(Variable[] gradOutputs); }

    public static void recordCustom(String name, Variable[] outputs, Variable[] inputs, CustomBackward fn) {
        boolean any = false;
        for (Variable v : inputs) if (v != null && v.requiresGrad) any = true;
        if (!any || !GradMode.isEnabled()) return;
        int nOut = outputs.length;
        Tensor[] outData = new Tensor[nOut];
        for (int i = 0; i < nOut; i++) outData[i] = outputs[i] == null ? null : outputs[i].data;
        Node n = new Node(name, gs -> {
            Variable[] gv = new Variable[nOut];
            for (int i = 0; i < nOut; i++) gv[i] = new Variable(gs[i] != null ? gs[i] : (outData[i] == null ? null : zeros(outData[i])));
            Variable[] r = fn.apply(gv);
            Tensor[] res = new Tensor[inputs.length];
            if (r == null) return res;
            if (r.length < inputs.length)
                throw TorchException.runtime("function " + name + " returned an incorrect number of gradients (expected " + inputs.length + ", got " + r.length + ")");
            for (int i = 0; i < inputs.length; i++) res[i] = r[i] == null ? null : r[i].data;
            return res;
        }, inputs.clone(), null, nOut);
        for (int i = 0; i < nOut; i++) {
            Variable o = outputs[i];
            if (o == null || !o.data.dtype.isFloating()) continue;
            o.requiresGrad = true;
            o.gradFn = n;
            o.outputNr = i;
        }
    }

    // ================================================================ creation helpers

    public static Variable wrap(Tensor t) { return new Variable(t); }

    public static Variable wrap(Tensor t, boolean requiresGrad) { return new Variable(t, requiresGrad); }

    // ================================================================ elementwise binary

    public static Variable binary(BinaryOp op, Variable a, Variable b) {
        Tensor out = Ops.binary(op, a.data, b.data);
        if (!needs(a, b) || op.comparison()) return plain(out);
        return recordBinary(op, out, a, b);
    }

    /** a (op) scalar, or scalar (op) a when reverse. category: 0 bool, 1 int, 2 float. */
    public static Variable binaryScalar(BinaryOp op, Variable a, double s, int category, boolean reverse) {
        Tensor out = Ops.binaryScalar(op, a.data, s, category, reverse);
        if (!needs(a) || op.comparison()) return plain(out);
        Variable c = plain(Ops.scalarTensor(s, category, a.data.device));
        return reverse ? recordBinary(op, out, c, a) : recordBinary(op, out, a, c);
    }

    private static String binaryName(BinaryOp op, Variable a, Variable b) {
        return switch (op) {
            case ADD -> "AddBackward0";
            case SUB -> b.dim() == 0 && !b.requiresGrad && a.requiresGrad ? "SubBackward0" : (a.dim() == 0 && !a.requiresGrad ? "RsubBackward1" : "SubBackward0");
            case MUL -> "MulBackward0";
            case DIV -> "DivBackward0";
            case POW -> b.dim() == 0 && !b.requiresGrad ? "PowBackward0" : (a.dim() == 0 && !a.requiresGrad ? "PowBackward2" : "PowBackward1");
            case MAXIMUM -> "MaximumBackward0";
            case MINIMUM -> "MinimumBackward0";
            case REMAINDER -> "RemainderBackward0";
            case FMOD -> "FmodBackward0";
            case ATAN2 -> "Atan2Backward0";
            default -> "NotDifferentiable";
        };
    }

    private static Variable recordBinary(BinaryOp op, Tensor out, Variable a, Variable b) {
        Tensor x = a.data, y = b.data;
        int[] xs = x.shapeRef(), ys = y.shapeRef();
        DType xt = x.dtype, yt = y.dtype;
        boolean ga = a.requiresGrad, gb = b.requiresGrad;
        String name = binaryName(op, a, b);
        return switch (op) {
            case ADD -> record(name, out, null, g -> new Tensor[] {ga ? sumTo(g, xs, xt) : null, gb ? sumTo(g, ys, yt) : null}, a, b);
            case SUB -> record(name, out, null, g -> new Tensor[] {ga ? sumTo(g, xs, xt) : null, gb ? sumTo(neg(g), ys, yt) : null}, a, b);
            case MUL -> record(name, out, saved(x, y), g -> new Tensor[] {
                ga ? sumTo(mul(g, y), xs, xt) : null, gb ? sumTo(mul(g, x), ys, yt) : null}, a, b);
            case DIV -> record(name, out, saved(x, y), g -> new Tensor[] {
                ga ? sumTo(div(g, y), xs, xt) : null,
                gb ? sumTo(neg(div(mul(g, x), mul(y, y))), ys, yt) : null}, a, b);
            case POW -> record(name, out, saved(x, y, out), g -> {
                Tensor da = null, db = null;
                if (ga) {
                    // b * a^(b-1), with 0 where b == 0
                    Tensor d = mul(y, Ops.binary(BinaryOp.POW, x, Ops.binaryScalar(BinaryOp.SUB, y, 1, 1, false)));
                    d = Ops.where(cmp(BinaryOp.EQ, y, 0), zeros(d), d);
                    da = sumTo(mul(g, d), xs, xt);
                }
                if (gb) {
                    Tensor d = mul(out, un(UnaryOp.LOG, x));
                    d = Ops.where(Ops.binary(BinaryOp.LOGICAL_AND, cmp(BinaryOp.EQ, x, 0), cmp(BinaryOp.GE, y, 0)), zeros(d), d);
                    db = sumTo(mul(g, d), ys, yt);
                }
                return new Tensor[] {da, db};
            }, a, b);
            case MAXIMUM, MINIMUM -> record(name, out, saved(x, y), g -> {
                BinaryOp wins = op == BinaryOp.MAXIMUM ? BinaryOp.GT : BinaryOp.LT;
                Tensor eq = f(cmp(BinaryOp.EQ, x, y), g.dtype);
                Tensor wa = add(f(cmp(wins, x, y), g.dtype), mul(eq, 0.5));
                Tensor wb = add(f(cmp(wins, y, x), g.dtype), mul(eq, 0.5));
                return new Tensor[] {ga ? sumTo(mul(g, wa), xs, xt) : null, gb ? sumTo(mul(g, wb), ys, yt) : null};
            }, a, b);
            case REMAINDER, FMOD -> record(name, out, saved(x, y), g -> new Tensor[] {
                ga ? sumTo(g, xs, xt) : null,
                gb ? sumTo(neg(mul(g, un(op == BinaryOp.REMAINDER ? UnaryOp.FLOOR : UnaryOp.TRUNC, div(x, y)))), ys, yt) : null}, a, b);
            case ATAN2 -> record(name, out, saved(x, y), g -> {
                Tensor den = add(mul(x, x), mul(y, y));
                return new Tensor[] {ga ? sumTo(mul(g, div(y, den)), xs, xt) : null, gb ? sumTo(neg(mul(g, div(x, den))), ys, yt) : null};
            }, a, b);
            default -> plain(out);
        };
    }

    /** In place: self (op)= other, with autograd rebasing self onto a new node. */
    public static Variable binaryInPlace(BinaryOp op, Variable self, Variable other) {
        if (GradMode.isEnabled() && (self.requiresGrad || other.requiresGrad)) {
            checkInPlace(self);
            Variable old = snapshot(self);
            Variable r = binary(op, old, other);
            return rebase(self, r);
        }
        Ops.binaryInPlace(op, self.data, other.data);
        return self;
    }

    /** self.add_(other, alpha=alpha): fused in the engine when no graph is recorded. */
    public static Variable addScaledInPlace(Variable self, Variable other, double alpha) {
        if (GradMode.isEnabled() && (self.requiresGrad || other.requiresGrad))
            return binaryInPlace(BinaryOp.ADD, self, binaryScalar(BinaryOp.MUL, other, alpha, 2, false));
        Ops.addScaledInPlace(self.data, other.data, alpha);
        return self;
    }

    public static Variable binaryScalarInPlace(BinaryOp op, Variable self, double s, int category) {
        if (GradMode.isEnabled() && self.requiresGrad) {
            checkInPlace(self);
            Variable r = binaryScalar(op, snapshot(self), s, category, false);
            return rebase(self, r);
        }
        Ops.binaryInPlace(op, self.data, Ops.scalarTensor(s, category, self.data.device));
        return self;
    }

    static void checkInPlace(Variable self) {
        if (self.gradFn == null && self.requiresGrad && self.base == null)
            throw TorchException.runtime("a leaf Variable that requires grad is being used in an in-place operation.");
        if (self.base != null && self.base.gradFn == null && self.base.requiresGrad)
            throw TorchException.runtime("a view of a leaf Variable that requires grad is being used in an in-place operation.");
    }

    /** A copy of self's current value that keeps self's place in the graph. */
    private static Variable snapshot(Variable self) {
        Variable old = new Variable(self.data.copy());
        old.requiresGrad = self.requiresGrad;
        old.gradFn = self.gradFn;
        old.outputNr = self.outputNr;
        return old;
    }

    private static Variable rebase(Variable self, Variable r) {
        if (r.data.dtype.category > self.data.dtype.category)
            throw TorchException.runtime("result type " + Ops.typeName(r.data.dtype) + " can't be cast to the desired output type " + Ops.typeName(self.data.dtype));
        Variable base = self.base;
        if (base == null || base.data.storage != self.data.storage) {
            self.data.copyFrom(r.data);
            self.gradFn = r.gradFn;
            self.outputNr = r.outputNr;
            self.requiresGrad = r.requiresGrad;
            return self;
        }
        // a write through a view: the base gets a CopySlices node (its old history for the untouched part,
        // r for the written region), and the view becomes a strided view of the updated base
        Variable baseOld = new Variable(base.data);
        baseOld.requiresGrad = base.requiresGrad;
        baseOld.gradFn = base.gradFn;
        baseOld.outputNr = base.outputNr;
        self.data.copyFrom(r.data);
        Tensor bd = base.data, vd = self.data;
        int[] vShape = vd.shape(), vStrides = vd.strides();
        int vOffset = vd.offset;
        Node cs = new Node("CopySlices", gs -> {
            Tensor buf = likeBase(bd, gs[0]);
            Tensor region = buf.asStrided(vShape, vStrides, vOffset);
            Tensor gr = region.copy();
            region.fill(0);
            return new Tensor[] {buf.copy(), gr};
        }, new Variable[] {baseOld, r}, null, 1);
        base.gradFn = cs;
        base.outputNr = 0;
        base.requiresGrad = true;
        self.gradFn = new Node("AsStridedBackward0", gs -> {
            Tensor buf = likeBase(bd, null);
            buf.asStrided(vShape, vStrides, vOffset).copyFrom(gs[0]);
            return new Tensor[] {buf.copy()};
        }, new Variable[] {base}, null, 1);
        self.outputNr = 0;
        self.requiresGrad = true;
        return self;
    }

    /** A zeroed buffer with base's geometry over a fresh storage (filled with g when given). */
    private static Tensor likeBase(Tensor base, Tensor g) {
        Tensor buf = new Tensor(org.jtorch.engine.Storage.allocate(base.dtype, base.storage.size(), base.device), base.shape(), base.strides(), base.offset, base.device);
        if (g != null) buf.copyFrom(g);
        return buf;
    }

    // ================================================================ elementwise unary

    private static String unaryName(UnaryOp op) {
        return switch (op) {
            case CLAMP -> "ClampBackward1";
            case POW -> "PowBackward0";
            case RPOW -> "PowBackward2";
            case LOG1P -> "Log1PBackward0";
            case GELU, GELU_TANH -> "GeluBackward0";
            case LEAKY_RELU -> "LeakyReluBackward0";
            case HARDTANH -> "HardtanhBackward0";
            case SQUARE -> "PowBackward0";
            default -> {
                String n = op.name().toLowerCase();
                yield Character.toUpperCase(n.charAt(0)) + n.substring(1) + "Backward0";
            }
        };
    }

    public static Variable unary(UnaryOp op, Variable a, double p1, double p2) {
        Tensor out = Ops.unary(op, a.data, p1, p2);
        if (!needs(a) || op.predicate()) return plain(out);
        Tensor x = a.data;
        DType xt = x.dtype;
        B1 fn = switch (op) {
            case NEG -> g -> new Tensor[] {neg(g)};
            case ABS -> g -> new Tensor[] {mul(g, un(UnaryOp.SIGN, x))};
            case SIGN, FLOOR, CEIL, ROUND, TRUNC -> g -> new Tensor[] {cast(zeros(g), xt)};
            case FRAC -> g -> new Tensor[] {g};
            case EXP -> g -> new Tensor[] {mul(g, out)};
            case LOG -> g -> new Tensor[] {div(g, x)};
            case LOG2 -> g -> new Tensor[] {div(g, mul(x, Math.log(2)))};
            case LOG10 -> g -> new Tensor[] {div(g, mul(x, Math.log(10)))};
            case LOG1P -> g -> new Tensor[] {div(g, add(x, 1))};
            case EXPM1 -> g -> new Tensor[] {mul(g, add(out, 1))};
            case SQRT -> g -> new Tensor[] {div(g, mul(out, 2))};
            case RSQRT -> g -> new Tensor[] {mul(mul(g, mul(out, mul(out, out))), -0.5)};
            case SIN -> g -> new Tensor[] {mul(g, un(UnaryOp.COS, x))};
            case COS -> g -> new Tensor[] {neg(mul(g, un(UnaryOp.SIN, x)))};
            case TAN -> g -> new Tensor[] {mul(g, add(mul(out, out), 1))};
            case ASIN -> g -> new Tensor[] {div(g, un(UnaryOp.SQRT, rsub(1, mul(x, x))))};
            case ACOS -> g -> new Tensor[] {neg(div(g, un(UnaryOp.SQRT, rsub(1, mul(x, x)))))};
            case ATAN -> g -> new Tensor[] {div(g, add(mul(x, x), 1))};
            case SINH -> g -> new Tensor[] {mul(g, un(UnaryOp.COSH, x))};
            case COSH -> g -> new Tensor[] {mul(g, un(UnaryOp.SINH, x))};
            case TANH -> g -> new Tensor[] {mul(g, rsub(1, mul(out, out)))};
            case SIGMOID -> g -> new Tensor[] {mul(g, mul(out, rsub(1, out)))};
            case RELU -> g -> new Tensor[] {Ops.reluBackward(g, out)};
            case RECIPROCAL -> g -> new Tensor[] {neg(mul(g, mul(out, out)))};
            case SQUARE -> g -> new Tensor[] {mul(g, mul(x, 2))};
            case CLAMP -> g -> {
                Tensor m = f(Ops.binary(BinaryOp.LOGICAL_AND,
                    Double.isNaN(p1) ? cmp(BinaryOp.EQ, x, x) : cmp(BinaryOp.GE, x, p1),
                    Double.isNaN(p2) ? cmp(BinaryOp.EQ, x, x) : cmp(BinaryOp.LE, x, p2)), g.dtype);
                return new Tensor[] {mul(g, m)};
            };
            case HARDTANH -> g -> new Tensor[] {mul(g, f(Ops.binary(BinaryOp.LOGICAL_AND, cmp(BinaryOp.GT, x, p1), cmp(BinaryOp.LT, x, p2)), g.dtype))};
            case POW -> g -> new Tensor[] {p1 == 0 ? zeros(g) : mul(g, mul(un(UnaryOp.POW, x, p1 - 1), p1))};
            case RPOW -> g -> new Tensor[] {mul(g, mul(out, Math.log(p1)))};
            case ERF -> g -> new Tensor[] {mul(g, mul(un(UnaryOp.EXP, neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))};
            case GELU -> g -> {
                Tensor cdf = mul(add(un(UnaryOp.ERF, mul(x, 1 / Math.sqrt(2))), 1), 0.5);
                Tensor pdf = mul(un(UnaryOp.EXP, mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
                return new Tensor[] {mul(g, add(cdf, mul(x, pdf)))};
            };
            case GELU_TANH -> g -> {
                double k = Math.sqrt(2 / Math.PI);
                Tensor x3 = mul(mul(x, x), x);
                Tensor inner = mul(add(x, mul(x3, 0.044715)), k);
                Tensor t = un(UnaryOp.TANH, inner);
                Tensor left = mul(add(t, 1), 0.5);
                Tensor dInner = mul(add(mul(mul(x, x), 3 * 0.044715), 1), k);
                Tensor right = mul(mul(mul(x, 0.5), rsub(1, mul(t, t))), dInner);
                return new Tensor[] {mul(g, add(left, right))};
            };
            case SILU -> g -> {
                Tensor s = un(UnaryOp.SIGMOID, x);
                return new Tensor[] {mul(g, mul(s, add(mul(x, rsub(1, s)), 1)))};
            };
            case LEAKY_RELU -> g -> {
                Tensor pos = f(cmp(BinaryOp.GT, x, 0), g.dtype);
                return new Tensor[] {mul(g, add(pos, mul(rsub(1, pos), p1)))};
            };
            case ELU -> g -> {
                Tensor pos = f(cmp(BinaryOp.GT, x, 0), g.dtype);
                return new Tensor[] {mul(g, add(pos, mul(rsub(1, pos), add(out, p1))))};
            };
            case SOFTPLUS -> g -> {
                Tensor z = mul(x, p1);
                Tensor s = un(UnaryOp.SIGMOID, z);
                Tensor lin = f(cmp(BinaryOp.GT, z, p2), g.dtype);
                return new Tensor[] {mul(g, add(lin, mul(rsub(1, lin), s)))};
            };
            default -> throw TorchException.runtime("derivative for " + op.name().toLowerCase() + " is not implemented");
        };
        return record(unaryName(op), out, saved(x, out), fn, a);
    }

    public static Variable unaryInPlace(UnaryOp op, Variable self, double p1, double p2) {
        if (GradMode.isEnabled() && self.requiresGrad) {
            checkInPlace(self);
            return rebase(self, unary(op, snapshot(self), p1, p2));
        }
        Ops.unaryInPlace(op, self.data, p1, p2);
        return self;
    }

    // ================================================================ reductions

    private static int[] normDims(Variable a, int[] dims) {
        if (dims == null || dims.length == 0) return null;
        int[] r = new int[dims.length];
        for (int i = 0; i < dims.length; i++) r[i] = Shape.wrapDim(dims[i], a.dim());
        return r;
    }

    /** The gradient of a reduced output brought back to the input's shape (unsqueezing reduced dims). */
    static Tensor unreduce(Tensor g, int[] inShape, int[] dims, boolean keepdim) {
        if (!keepdim && dims != null && inShape.length > 0) {
            int[] sorted = dims.clone();
            Arrays.sort(sorted);
            for (int d : sorted) g = g.unsqueeze(d);
        } else if (!keepdim && inShape.length > 0) {
            int[] ones = new int[inShape.length];
            Arrays.fill(ones, 1);
            g = g.reshape(ones);
        }
        return g.expand(inShape);
    }

    public static Variable sum(Variable a, int[] dims, boolean keepdim, DType dtype) {
        Tensor x = dtype != null ? Ops.to(a.data, dtype) : a.data;
        Tensor out = Ops.sum(x, dims, keepdim);
        if (!needs(a)) return plain(out);
        int[] d = normDims(a, dims);
        int[] xs = a.data.shape();
        DType xt = a.data.dtype;
        return record(d == null ? "SumBackward0" : "SumBackward1", out, null, g -> new Tensor[] {cast(unreduce(g, xs, d, keepdim), xt)}, a);
    }

    public static Variable mean(Variable a, int[] dims, boolean keepdim) {
        Tensor out = Ops.mean(a.data, dims, keepdim);
        if (!needs(a)) return plain(out);
        int[] d = normDims(a, dims);
        int[] xs = a.data.shape();
        int n = Ops.reducedCount(a.data, dims);
        return record(d == null ? "MeanBackward0" : "MeanBackward1", out, null, g -> new Tensor[] {unreduce(mul(g, 1.0 / n), xs, d, keepdim)}, a);
    }

    public static Variable prod(Variable a, int[] dims, boolean keepdim) {
        Tensor out = Ops.prod(a.data, dims, keepdim);
        if (!needs(a)) return plain(out);
        int[] d = normDims(a, dims);
        Tensor x = a.data;
        int[] xs = x.shape();
        return record(d == null ? "ProdBackward0" : "ProdBackward1", out, saved(x, out), g -> {
            // d prod / d x_i = prod of the others; computed as prod / x_i where x_i != 0, exact product otherwise
            Tensor outE = unreduce(out, xs, d, keepdim), gE = unreduce(g, xs, d, keepdim);
            Tensor zeroMask = cmp(BinaryOp.EQ, x, 0);
            Tensor safe = Ops.where(zeroMask, Tensor.full(x.dtype, 1.0), x);
            Tensor r = div(outE, safe);
            if (Ops.sum(zeroMask, null, false).itemLong() > 0) {
                // product of the others, by brute force on a copy with each zero replaced by 1
                Tensor others = Ops.prod(Ops.where(zeroMask, Tensor.full(x.dtype, 1.0), x), d, true).expand(xs);
                Tensor zeroCount = Ops.sum(zeroMask, d, true).expand(xs);
                Tensor onlyZero = Ops.binary(BinaryOp.LOGICAL_AND, zeroMask, cmp(BinaryOp.EQ, cast(zeroCount, x.dtype), 1));
                r = Ops.where(onlyZero, others, Ops.where(zeroMask, Tensor.full(x.dtype, 0.0), r));
            }
            return new Tensor[] {mul(gE, r)};
        }, a);
    }

    /** max()/min() over all elements (or amax/amin over dims): gradient shared evenly among ties. */
    public static Variable amax(Variable a, int[] dims, boolean keepdim, boolean max, String name) {
        Tensor out = max ? Ops.amax(a.data, dims, keepdim) : Ops.amin(a.data, dims, keepdim);
        if (!needs(a)) return plain(out);
        int[] d = normDims(a, dims);
        Tensor x = a.data;
        int[] xs = x.shape();
        return record(name, out, saved(x, out), g -> {
            Tensor mask = f(cmp(BinaryOp.EQ, x, unreduce(out, xs, d, keepdim)), g.dtype);
            Tensor count = Ops.sum(mask, d, true);
            return new Tensor[] {div(mul(unreduce(g, xs, d, keepdim), mask), count.expand(xs))};
        }, a);
    }

    /** max/min along dim with indices: {values, indices}. */
    public static Variable[] maxDim(Variable a, int dim, boolean keepdim, boolean max) {
        Tensor[] r = Ops.maxDim(a.data, dim, keepdim, max);
        Variable idx = plain(r[1]);
        if (!needs(a)) return new Variable[] {plain(r[0]), idx};
        Tensor x = a.data;
        int[] xs = x.shape();
        int d = a.dim() == 0 ? 0 : Shape.wrapDim(dim, a.dim());
        Tensor indices = r[1];
        Variable v = record(max ? "MaxBackward0" : "MinBackward0", r[0], saved(indices), g -> new Tensor[] {indexGradAlongDim(g, indices, xs, d, keepdim)}, a);
        return new Variable[] {v, idx};
    }

    /** Scatters g into zeros of shape xs at the given indices along d. */
    private static Tensor indexGradAlongDim(Tensor g, Tensor indices, int[] xs, int d, boolean keepdim) {
        Tensor z = Tensor.zeros(g.dtype, xs).to(g.device);
        if (xs.length == 0) return g.copy();
        Tensor gi = keepdim ? g : g.unsqueeze(d), ii = keepdim ? indices : indices.unsqueeze(d);
        Ops.scatterInPlace(z, d, ii, gi, true);
        return z;
    }

    public static Variable var(Variable a, int[] dims, int correction, boolean keepdim, boolean std) {
        Tensor v = Ops.var(a.data, dims, correction, keepdim);
        Tensor out = std ? Ops.unary(UnaryOp.SQRT, v, 0, 0) : v;
        if (!needs(a)) return plain(out);
        int[] d = normDims(a, dims);
        Tensor x = a.data;
        int[] xs = x.shape();
        int n = Ops.reducedCount(x, dims);
        return record(std ? "StdBackward0" : "VarBackward0", out, saved(x, out), g -> {
            Tensor centered = sub(x, Ops.mean(x, d, true));
            Tensor scale = std ? div(unreduce(g, xs, d, keepdim), unreduce(mul(out, (double) Math.max(n - correction, 0)), xs, d, keepdim))
                : mul(unreduce(g, xs, d, keepdim), 2.0 / Math.max(n - correction, 0));
            return new Tensor[] {mul(scale, centered)};
        }, a);
    }

    /** p-norm over dims (p=2 Frobenius by default). */
    public static Variable norm(Variable a, double p, int[] dims, boolean keepdim) {
        Tensor x = a.data;
        Tensor ax = Ops.unary(UnaryOp.ABS, x, 0, 0);
        Tensor out;
        if (p == 2) out = Ops.unary(UnaryOp.SQRT, Ops.sum(Ops.binary(BinaryOp.MUL, x, x), dims, keepdim), 0, 0);
        else if (p == 1) out = Ops.sum(ax, dims, keepdim);
        else if (Double.isInfinite(p)) out = p > 0 ? Ops.amax(ax, dims, keepdim) : Ops.amin(ax, dims, keepdim);
        else out = Ops.unary(UnaryOp.POW, Ops.sum(Ops.unary(UnaryOp.POW, ax, p, 0), dims, keepdim), 1 / p, 0);
        if (!needs(a)) return plain(out);
        int[] d = normDims(a, dims);
        int[] xs = x.shape();
        return record(d == null ? "NormBackward0" : "NormBackward1", out, saved(x, out), g -> {
            Tensor gE = unreduce(g, xs, d, keepdim), oE = unreduce(out, xs, d, keepdim);
            Tensor r;
            if (p == 2) {
                r = div(x, oE);
                r = Ops.where(cmp(BinaryOp.EQ, oE, 0), zeros(r), r);
            } else if (p == 1) r = un(UnaryOp.SIGN, x);
            else if (Double.isInfinite(p)) {
                Tensor m = f(cmp(BinaryOp.EQ, un(UnaryOp.ABS, x), oE), x.dtype);
                r = div(mul(un(UnaryOp.SIGN, x), m), Ops.sum(m, d, true).expand(xs));
            } else {
                r = div(mul(un(UnaryOp.SIGN, x), un(UnaryOp.POW, un(UnaryOp.ABS, x), p - 1)), un(UnaryOp.POW, oE, p - 1));
                r = Ops.where(cmp(BinaryOp.EQ, oE, 0), zeros(r), r);
            }
            return new Tensor[] {mul(gE, r)};
        }, a);
    }

    public static Variable logsumexp(Variable a, int[] dims, boolean keepdim) {
        Tensor x = a.data.dtype.isFloating() ? a.data : Ops.to(a.data, DType.defaultFloat());
        Tensor m = Ops.amax(x, dims, true);
        Tensor mFinite = Ops.where(Ops.unary(UnaryOp.ISINF, m, 0, 0), zeros(m), m);
        Tensor s = Ops.sum(Ops.unary(UnaryOp.EXP, Ops.binary(BinaryOp.SUB, x, mFinite), 0, 0), dims, true);
        Tensor outK = Ops.binary(BinaryOp.ADD, Ops.unary(UnaryOp.LOG, s, 0, 0), mFinite);
        int[] d = normDims(a, dims);
        Tensor out = keepdim ? outK : squeezeDims(outK, d, a.dim());
        if (!needs(a)) return plain(out);
        int[] xs = x.shape();
        return record("LogsumexpBackward0", out, saved(x, out), g -> new Tensor[] {
            mul(unreduce(g, xs, d, keepdim), un(UnaryOp.EXP, sub(x, unreduce(out, xs, d, keepdim))))}, a);
    }

    private static Tensor squeezeDims(Tensor t, int[] d, int ndim) {
        if (d == null) return t.reshape();
        int[] sorted = d.clone();
        Arrays.sort(sorted);
        for (int i = sorted.length - 1; i >= 0; i--) t = t.squeeze(sorted[i]);
        return t;
    }

    public static Variable cumsum(Variable a, int dim) {
        Tensor out = Ops.cumulative(a.data, dim, false);
        if (!needs(a)) return plain(out);
        int d = a.dim() == 0 ? 0 : Shape.wrapDim(dim, a.dim());
        return record("CumsumBackward0", out, null, g -> {
            if (g.dim() == 0) return new Tensor[] {g};
            return new Tensor[] {Ops.flip(Ops.cumulative(Ops.flip(g, new int[] {d}), d, false), new int[] {d})};
        }, a);
    }

    public static Variable cumprod(Variable a, int dim) {
        Tensor out = Ops.cumulative(a.data, dim, true);
        if (!needs(a)) return plain(out);
        int d = a.dim() == 0 ? 0 : Shape.wrapDim(dim, a.dim());
        Tensor x = a.data;
        return record("CumprodBackward0", out, saved(x, out), g -> {
            if (g.dim() == 0) return new Tensor[] {g};
            if (Ops.sum(cmp(BinaryOp.EQ, x, 0), null, false).itemLong() == 0) {
                // no zeros: sum_{j>=i} g_j * out_j / x_i
                Tensor t = mul(g, out);
                Tensor rc = Ops.flip(Ops.cumulative(Ops.flip(t, new int[] {d}), d, false), new int[] {d});
                return new Tensor[] {div(rc, x)};
            }
            // with zeros: for each i, the cumulative product with x_i replaced by 1, weighted by g from i on
            int n = x.shapeRef()[d];
            Tensor res = zeros(g);
            for (int i = 0; i < n; i++) {
                Tensor xi = x.copy();
                xi.narrow(d, i, 1).fill(1);
                Tensor cp = Ops.cumulative(xi, d, true).narrow(d, i, n - i);
                Tensor gi = Ops.sum(mul(g.narrow(d, i, n - i), cp), new int[] {d}, true);
                res.narrow(d, i, 1).copyFrom(gi);
            }
            return new Tensor[] {res};
        }, a);
    }

    public static Variable softmax(Variable a, int dim, boolean log) {
        Tensor out = Ops.softmax(a.data, dim, log);
        if (!needs(a)) return plain(out);
        int d = a.dim() == 0 ? 0 : Shape.wrapDim(dim, a.dim());
        return record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", out, saved(out), g -> {
            if (log) {
                Tensor s = Ops.sum(g, new int[] {d}, true);
                return new Tensor[] {sub(g, mul(un(UnaryOp.EXP, out), s))};
            }
            Tensor s = Ops.sum(mul(g, out), new int[] {d}, true);
            return new Tensor[] {mul(out, sub(g, s))};
        }, a);
    }

    // ================================================================ linear algebra

    public static Variable matmul(Variable a, Variable b) {
        Tensor x = a.data, y = b.data;
        Tensor out = Ops.matmul(x, y);
        if (!needs(a, b)) return plain(out);
        int dx = x.dim(), dy = y.dim();
        String name = dx == 2 && dy == 2 ? "MmBackward0" : dx == 1 && dy == 1 ? "DotBackward0" : dx == 2 && dy == 1 ? "MvBackward0" : "UnsafeViewBackward0";
        boolean ga = a.requiresGrad, gb = b.requiresGrad;
        return record(name, out, saved(x, y), g -> {
            Tensor x2 = dx == 1 ? x.unsqueeze(0) : x, y2 = dy == 1 ? y.unsqueeze(1) : y;
            Tensor g2 = g;
            if (dy == 1) g2 = g2.unsqueeze(-1);
            if (dx == 1) g2 = g2.unsqueeze(-2);
            Tensor da = null, db = null;
            if (ga) {
                Tensor t = Ops.matmul(g2, y2.transpose(-1, -2));
                if (dx == 1) t = t.squeeze(-2);
                da = sumTo(t, x.shapeRef(), x.dtype);
            }
            if (gb) {
                Tensor t = Ops.matmul(x2.transpose(-1, -2), g2);
                if (dy == 1) t = t.squeeze(-1);
                db = sumTo(t, y.shapeRef(), y.dtype);
            }
            return new Tensor[] {da, db};
        }, a, b);
    }

    public static Variable mm(Variable a, Variable b) {
        Ops.checkMm(a.data, b.data); // mm's messages
        return matmul(a, b);
    }

    /** A fused Adam/AdamW step on a parameter's data (see Ops.adamStep); false when not applicable. */
    public static boolean adamStep(Variable p, Variable g, Variable m, Variable v, double lr, double beta1, double beta2, double eps,
                                   double weightDecay, boolean decoupled, boolean maximize, double step) {
        return Ops.adamStep(p.data, g.data, m.data, v.data, lr, beta1, beta2, eps, weightDecay, decoupled, maximize, step);
    }

    // ---------------------------------------------------------------- out= forms (not differentiable, as in PyTorch)

    /** torch.add(a, b, out=o) and friends: the result written into out, which is returned. */
    public static Variable binaryOut(BinaryOp op, Variable a, Variable b, Variable out) {
        return writeOut(out, Ops.binaryOut(op, a.data, b.data, out.data));
    }

    public static Variable mmOut(Variable a, Variable b, Variable out) { return writeOut(out, Ops.mmOut(a.data, b.data, out.data)); }

    public static Variable bmmOut(Variable a, Variable b, Variable out) { return writeOut(out, Ops.bmmOut(a.data, b.data, out.data)); }

    public static Variable matmulOut(Variable a, Variable b, Variable out) { return writeOut(out, Ops.matmulOut(a.data, b.data, out.data)); }

    /**
     * Puts result into out (unless it is out's tensor already): copied when the shapes agree, else out is
     * resized to the result (it takes the result's values, as PyTorch's resize of an out argument does).
     */
    public static Variable writeOut(Variable out, Tensor result) {
        if (result == out.data) return out;
        Tensor o = out.data;
        if (result.dtype.category > o.dtype.category)
            throw TorchException.runtime("result type " + Ops.typeName(result.dtype) + " can't be cast to the desired output type " + Ops.typeName(o.dtype));
        if (o.sameShape(result)) {
            o.copyFrom(result);
            o.storage.version++;
        } else {
            out.data = Ops.to(result, o.dtype);
        }
        return out;
    }

    /** beta * input + alpha * (m1 @ m2), input broadcast to the product's shape (nn.Linear's op). */
    public static Variable addmm(Variable input, Variable m1, Variable m2, double beta, double alpha) {
        Tensor x = m1.data, y = m2.data, c = input.data;
        Tensor out = Ops.addmm(c, x, y, beta, alpha);
        boolean gi = input.requiresGrad, ga = m1.requiresGrad, gb = m2.requiresGrad;
        if (!GradMode.isEnabled() || !(gi || ga || gb)) return plain(out);
        int[] cs = c.shape();
        return record("AddmmBackward0", out, saved(x, y), g -> new Tensor[] {
            gi ? sumTo(beta == 1 ? g : mul(g, beta), cs, c.dtype) : null,
            ga ? mulMaybe(Ops.mm(g, y.t()), alpha) : null,
            gb ? mulMaybe(Ops.mm(x.t(), g), alpha) : null}, input, m1, m2);
    }

    private static Tensor mulMaybe(Tensor t, double s) { return s == 1 ? t : mul(t, s); }

    /**
     * nll_loss for log-probabilities [N, C] (or [C]) and int64 class targets [N] (or a scalar), without class
     * weights: reduction 0 none, 1 mean (over the targets not equal to ignoreIndex; NaN when there are none), 2 sum.
     * Targets out of range raise IndexError("Target t is out of bounds."), as in PyTorch. Recorded as
     * NllLossBackward0.
     */
    public static Variable nllLoss(Variable input, Variable target, long ignoreIndex, int reduction) {
        Tensor x = input.data, t = target.data;
        boolean batched = x.dim() == 2;
        int n = batched ? x.size(0) : 1, c = x.size(batched ? 1 : 0);
        Tensor x2 = batched ? x : x.unsqueeze(0), t1 = t.dim() == 0 ? t.unsqueeze(0) : t;
        long[] tv = new long[n];
        double total = 0;
        double[] per = new double[n];
        for (int i = 0; i < n; i++) {
            long k = t1.storage.getL(t1.offset + i * t1.stridesRef()[0]);
            tv[i] = k;
            if (k == ignoreIndex) continue;
            if (k < 0 || k >= c) throw TorchException.index("Target " + k + " is out of bounds.");
            per[i] = -x2.storage.getD(x2.offset + i * x2.stridesRef()[0] + (int) k * x2.stridesRef()[1]);
            total += 1;
        }
        Tensor out;
        if (reduction == 0) {
            out = Tensor.empty(x.dtype, batched ? new int[] {n} : new int[0]).to(x.device);
            Tensor host = Tensor.empty(x.dtype, n);
            for (int i = 0; i < n; i++) host.storage.setD(i, per[i]);
            out.copyFrom(batched ? host : host.reshape());
        } else {
            double s = 0;
            // in the input's precision, summed in order as PyTorch's CPU kernel does
            if (x.dtype == DType.FLOAT32) {
                float f = 0;
                for (int i = 0; i < n; i++) if (tv[i] != ignoreIndex) f += (float) per[i];
                s = reduction == 1 ? f / (float) total : f;
            } else {
                for (int i = 0; i < n; i++) if (tv[i] != ignoreIndex) s += per[i];
                if (reduction == 1) s /= total;
            }
            out = Tensor.scalar(x.dtype, s).to(x.device);
        }
        if (!needs(input)) return plain(out);
        double tot = total;
        int[] xs = x.shape();
        return record("NllLossBackward0", out, saved(x, t), g -> {
            Tensor gi = Tensor.zeros(x.dtype, batched ? new int[] {n, c} : new int[] {c});
            Tensor gh = g.device.equals(org.jtorch.engine.Device.CPU) ? g : g.to(org.jtorch.engine.Device.CPU);
            for (int i = 0; i < n; i++) {
                if (tv[i] == ignoreIndex) continue;
                double gv = reduction == 0 ? gh.storage.getD(gh.offset + (batched ? i * gh.stridesRef()[0] : 0)) : gh.storage.getD(gh.offset);
                if (reduction == 1) gv /= tot;
                gi.storage.setD((batched ? i * c : 0) + (int) tv[i], -gv);
            }
            return new Tensor[] {gi.reshape(xs).to(x.device), null};
        }, input, target);
    }

    /**
     * nn.functional.layer_norm over the last dimension as one op (NativeLayerNormBackward0, as PyTorch records
     * it), weight and bias optional (null); null when the backend has no fused kernel for these tensors (the
     * caller then composes it).
     */
    public static Variable layerNorm(Variable x, Variable w, Variable b, double eps) {
        Tensor xd = x.data.contiguous(), wd = w == null ? null : w.data, bd = b == null ? null : b.data;
        Tensor[] r = Ops.layerNorm(xd, wd, bd, eps);
        if (r == null) return null;
        boolean gx = x.requiresGrad, gw = w != null && w.requiresGrad, gb = b != null && b.requiresGrad;
        if (!GradMode.isEnabled() || !(gx || gw || gb)) return plain(r[0]);
        Tensor mean = r[1], rstd = r[2];
        // the inputs are x and whichever of weight and bias are given, each with its gradient
        Variable[] inputs = w == null ? (b == null ? new Variable[] {x} : new Variable[] {x, b})
            : (b == null ? new Variable[] {x, w} : new Variable[] {x, w, b});
        return record("NativeLayerNormBackward0", r[0], wd == null ? saved(xd, mean, rstd) : saved(xd, mean, rstd, wd), g -> {
            Tensor[] d = Ops.layerNormBackward(g, xd, mean, rstd, wd, gw, gb);
            if (d == null) throw new IllegalStateException("layer_norm: no fused backward for these tensors");
            Tensor[] grads = new Tensor[inputs.length];
            int k = 0;
            grads[k++] = gx ? d[0] : null;
            if (w != null) grads[k++] = d[1];
            if (b != null) grads[k] = d[2];
            return grads;
        }, inputs);
    }

    /** Exact (erf) GELU as one op (GeluBackward0); null when the backend has no fused kernel. */
    public static Variable gelu(Variable x) {
        Tensor xd = x.data.contiguous();
        Tensor y = Ops.gelu(xd, null);
        if (y == null) return null;
        if (!needs(x)) return plain(y);
        return record("GeluBackward0", y, saved(xd), g -> {
            Tensor d = Ops.gelu(xd, g);
            if (d == null) throw new IllegalStateException("gelu: no fused backward for these tensors");
            return new Tensor[] {d};
        }, x);
    }

    /**
     * nn.functional.linear for a 2-D input with a bias: bias + x @ W^T, recorded as PyTorch records it
     * (AddmmBackward0), with the weight's gradient computed as g^T @ x straight into W's layout rather than as
     * (x^T g)^T through a transpose node (which would have to be copied into .grad).
     */
    public static Variable linear(Variable x, Variable w, Variable b) {
        Tensor xd = x.data, wd = w.data, bd = b.data;
        if (xd.dim() != 2 || wd.dim() != 2) return addmm(b, x, t(w), 1, 1);
        Tensor out = Ops.addmm(bd, xd, wd.t(), 1, 1);
        boolean gx = x.requiresGrad, gw = w.requiresGrad, gbias = b.requiresGrad;
        if (!GradMode.isEnabled() || !(gx || gw || gbias)) return plain(out);
        int[] bs = bd.shape();
        return record("AddmmBackward0", out, saved(xd, wd), g -> new Tensor[] {
            gbias ? sumTo(g, bs, bd.dtype) : null,
            gx ? Ops.mm(g, wd) : null,
            gw ? Ops.mm(g.t(), xd) : null}, b, x, w);
    }

    public static Variable diagonal(Variable a, int offset, int d1, int d2) {
        int[] xs = a.data.shape();
        Tensor out = a.data.diagonal(offset, d1, d2);
        return viewOf("DiagonalBackward0", a, out, g -> {
            Tensor z = Tensor.zeros(g.dtype, xs).to(g.device);
            z.diagonal(offset, d1, d2).copyFrom(g);
            return new Tensor[] {z};
        });
    }

    public static Variable bmm(Variable a, Variable b) {
        Tensor x = a.data, y = b.data;
        Tensor out = Ops.bmm(x, y);
        if (!needs(a, b)) return plain(out);
        boolean ga = a.requiresGrad, gb = b.requiresGrad;
        return record("BmmBackward0", out, saved(x, y), g -> new Tensor[] {
            ga ? Ops.bmm(g, y.transpose(1, 2)) : null, gb ? Ops.bmm(x.transpose(1, 2), g) : null}, a, b);
    }

    // ================================================================ views and shape

    /** A differentiable view: shares a's storage and remembers a's base for later in-place writes. */
    private static Variable viewOf(String name, Variable a, Tensor out, B1 back) {
        Variable r = needs(a) ? record(name, out, null, back, a) : plain(out);
        r.base = a.base != null ? a.base : a;
        return r;
    }

    /** An op that copies (not a view). */
    private static Variable copyOf(String name, Variable a, Tensor out, B1 back) {
        if (!needs(a)) return plain(out);
        return record(name, out, null, back, a);
    }

    public static Variable view(Variable a, int[] shape) {
        int[] xs = a.data.shape();
        return viewOf("ViewBackward0", a, a.data.view(shape), g -> new Tensor[] {g.reshape(xs)});
    }

    public static Variable reshape(Variable a, int[] shape) {
        int[] xs = a.data.shape();
        boolean isView = a.data.canView(shape);
        Tensor out = a.data.reshape(shape);
        if (!isView) return copyOf("UnsafeViewBackward0", a, out, g -> new Tensor[] {g.reshape(xs)});
        return viewOf("ViewBackward0", a, out, g -> new Tensor[] {g.reshape(xs)});
    }

    public static Variable flatten(Variable a, int start, int end) {
        int[] xs = a.data.shape();
        boolean isView = a.dim() == 0 || a.data.canView(flatShape(xs, start, end));
        Tensor out = a.data.flatten(start, end);
        if (out.dim() == a.dim() && out.sameShape(a.data) && a.dim() > 0) return a;
        if (!isView) return copyOf("UnsafeViewBackward0", a, out, g -> new Tensor[] {g.reshape(xs)});
        return viewOf("ViewBackward0", a, out, g -> new Tensor[] {g.reshape(xs)});
    }

    private static int[] flatShape(int[] xs, int start, int end) {
        int s0 = Shape.wrapDim(start, xs.length), e0 = Shape.wrapDim(end, xs.length);
        int[] ns = new int[xs.length - (e0 - s0)];
        int k = 0, p = 1;
        for (int i = 0; i < s0; i++) ns[k++] = xs[i];
        for (int i = s0; i <= Math.max(e0, s0 - 1); i++) p *= xs[i];
        ns[k++] = p;
        for (int i = e0 + 1; i < xs.length; i++) ns[k++] = xs[i];
        return ns;
    }

    public static Variable permute(Variable a, int[] dims) {
        Tensor out = a.data.permute(dims);
        int n = dims.length;
        int[] inv = new int[n];
        for (int i = 0; i < n; i++) inv[Shape.wrapDim(dims[i], n)] = i;
        return viewOf("PermuteBackward0", a, out, g -> new Tensor[] {g.permute(inv)});
    }

    public static Variable transpose(Variable a, int d0, int d1) {
        return viewOf("TransposeBackward0", a, a.data.transpose(d0, d1), g -> new Tensor[] {g.transpose(d0, d1)});
    }

    public static Variable t(Variable a) {
        return viewOf("TBackward0", a, a.data.t(), g -> new Tensor[] {g.t()});
    }

    public static Variable unsqueeze(Variable a, int d) {
        int dd = Shape.wrapDim(d, a.dim() + 1);
        return viewOf("UnsqueezeBackward0", a, a.data.unsqueeze(d), g -> new Tensor[] {g.squeeze(dd)});
    }

    public static Variable squeeze(Variable a) {
        int[] xs = a.data.shape();
        return viewOf("SqueezeBackward0", a, a.data.squeeze(), g -> new Tensor[] {g.reshape(xs)});
    }

    public static Variable squeezeDim(Variable a, int d) {
        int[] xs = a.data.shape();
        return viewOf("SqueezeBackward1", a, a.data.squeeze(d), g -> new Tensor[] {g.reshape(xs)});
    }

    public static Variable expand(Variable a, int[] shape) {
        int[] xs = a.data.shape();
        DType dt = a.data.dtype;
        return viewOf("ExpandBackward0", a, a.data.expand(shape), g -> new Tensor[] {sumTo(g, xs, dt)});
    }

    public static Variable narrow(Variable a, int dim, int start, int length) {
        int[] xs = a.data.shape();
        int d = Shape.wrapDim(dim, a.dim());
        Tensor out = a.data.narrow(dim, start, length);
        int s = start < 0 ? start + xs[d] : start;
        return viewOf("SliceBackward0", a, out, g -> {
            Tensor z = Tensor.zeros(g.dtype, xs).to(g.device);
            z.narrow(d, s, length).copyFrom(g);
            return new Tensor[] {z};
        });
    }

    public static Variable slice(Variable a, int dim, int start, int stop, int step) {
        int[] xs = a.data.shape();
        int d = Shape.wrapDim(dim, a.dim());
        Tensor out = a.data.slice(dim, start, stop, step);
        return viewOf("SliceBackward0", a, out, g -> {
            Tensor z = Tensor.zeros(g.dtype, xs).to(g.device);
            z.slice(d, start, stop, step).copyFrom(g);
            return new Tensor[] {z};
        });
    }

    public static Variable select(Variable a, int dim, int index) {
        int[] xs = a.data.shape();
        Tensor out = a.data.select(dim, index);
        int d = Shape.wrapDim(dim, a.dim());
        return viewOf("SelectBackward0", a, out, g -> {
            Tensor z = Tensor.zeros(g.dtype, xs).to(g.device);
            z.select(d, index).copyFrom(g);
            return new Tensor[] {z};
        });
    }

    /** x.contiguous(): x itself when already contiguous. */
    public static Variable contiguous(Variable a) {
        if (a.data.isContiguous()) return a;
        return clone(a);
    }

    public static Variable clone(Variable a) {
        return copyOf("CloneBackward0", a, a.data.copy(), g -> new Tensor[] {g});
    }

    public static Variable toDtype(Variable a, DType dt) {
        if (a.data.dtype == dt) return a;
        Tensor out = Ops.to(a.data, dt);
        DType src = a.data.dtype;
        if (!dt.isFloating()) return plain(out);
        return copyOf("ToCopyBackward0", a, out, g -> new Tensor[] {cast(g, src)});
    }

    /** x.to(device): a copy on the other device whose gradient flows back to x's device (ToCopyBackward0). */
    public static Variable toDevice(Variable a, org.jtorch.engine.Device d) {
        if (a.data.device.equals(d)) return a;
        Tensor out = a.data.to(d);
        org.jtorch.engine.Device src = a.data.device;
        if (!a.data.dtype.isFloating()) return plain(out);
        return copyOf("ToCopyBackward0", a, out, g -> new Tensor[] {g.to(src)});
    }

    public static Variable cat(Variable[] vs, int dim) {
        Tensor[] ts = new Tensor[vs.length];
        boolean any = false;
        for (int i = 0; i < vs.length; i++) { ts[i] = vs[i].data; any |= vs[i].requiresGrad; }
        Tensor out = Ops.cat(ts, dim);
        if (!any || !GradMode.isEnabled()) return plain(out);
        int d = Shape.wrapDim(dim, out.dim());
        int[] sizes = new int[ts.length];
        for (int i = 0; i < ts.length; i++) sizes[i] = ts[i].dim() == 1 && ts[i].numel() == 0 && out.dim() != 1 ? 0 : ts[i].shapeRef()[Math.min(d, ts[i].dim() - 1)];
        DType[] dts = new DType[ts.length];
        for (int i = 0; i < ts.length; i++) dts[i] = ts[i].dtype;
        return record("CatBackward0", out, null, g -> {
            Tensor[] r = new Tensor[ts.length];
            int pos = 0;
            for (int i = 0; i < ts.length; i++) {
                if (sizes[i] == 0 && ts[i].dim() == 1 && ts[i].numel() == 0) { r[i] = ts[i].copy(); continue; }
                r[i] = cast(g.narrow(d, pos, sizes[i]), dts[i]);
                pos += sizes[i];
            }
            return r;
        }, vs.clone());
    }

    public static Variable stack(Variable[] vs, int dim) {
        if (vs.length == 0) throw TorchException.runtime("stack expects a non-empty TensorList");
        int d = Shape.wrapDim(dim, vs[0].dim() + 1);
        Tensor[] ts = new Tensor[vs.length];
        boolean any = false;
        for (int i = 0; i < vs.length; i++) { ts[i] = vs[i].data; any |= vs[i].requiresGrad; }
        Tensor out = Ops.stack(ts, dim);
        if (!any || !GradMode.isEnabled()) return plain(out);
        return record("StackBackward0", out, null, g -> {
            Tensor[] r = new Tensor[ts.length];
            for (int i = 0; i < ts.length; i++) r[i] = g.select(d, i);
            return r;
        }, vs.clone());
    }

    public static Variable[] split(Variable a, int[] sizes, int dim) {
        Tensor[] parts = Ops.splitSizes(a.data, sizes, dim);
        Variable[] r = new Variable[parts.length];
        int d = Shape.wrapDim(dim, a.dim());
        int pos = 0;
        for (int i = 0; i < parts.length; i++) {
            r[i] = narrow(a, d, pos, sizes[i]);
            if (r[i].gradFn != null) r[i] = renamed(r[i], "SplitWithSizesBackward0");
            pos += sizes[i];
        }
        return r;
    }

    private static Variable renamed(Variable v, String name) {
        Node old = v.gradFn;
        Node n = new Node(name, old.fn, old.inputs, old.saved, 1);
        v.gradFn = n;
        return v;
    }

    public static Variable where(Variable cond, Variable a, Variable b) {
        Tensor c = cond.data, x = a.data, y = b.data;
        if (c.dtype != DType.BOOL) throw TorchException.runtime("where expected condition to be a boolean tensor, but got a tensor with dtype " + Ops.typeName(c.dtype));
        Tensor out = Ops.where(c, x, y);
        if (!needs(a, b)) return plain(out);
        boolean ga = a.requiresGrad, gb = b.requiresGrad;
        return record("WhereBackward0", out, saved(c), g -> {
            Tensor z = zeros(g);
            return new Tensor[] {null, ga ? sumTo(Ops.where(c, g, z), x.shapeRef(), x.dtype) : null, gb ? sumTo(Ops.where(c, z, g), y.shapeRef(), y.dtype) : null};
        }, cond, a, b);
    }

    public static Variable maskedFill(Variable a, Variable mask, double value) {
        Tensor m = mask.data;
        Tensor out = Ops.maskedFill(a.data, m, value);
        if (!needs(a)) return plain(out);
        return record("MaskedFillBackward0", out, saved(m), g -> new Tensor[] {sumTo(Ops.where(m, zeros(g), g), a.data.shapeRef(), a.data.dtype)}, a);
    }

    public static Variable maskedFillInPlace(Variable a, Variable mask, double value) {
        if (GradMode.isEnabled() && a.requiresGrad) {
            checkInPlace(a);
            return rebase(a, maskedFill(snapshot(a), mask, value));
        }
        a.data.copyFrom(Ops.maskedFill(a.data, mask.data, value));
        return a;
    }

    public static Variable triangle(Variable a, int k, boolean upper) {
        Tensor out = Ops.triangle(a.data, k, upper);
        if (!needs(a)) return plain(out);
        return record(upper ? "TriuBackward0" : "TrilBackward0", out, null, g -> new Tensor[] {Ops.triangle(g, k, upper)}, a);
    }

    public static Variable flip(Variable a, int[] dims) {
        Tensor out = Ops.flip(a.data, dims);
        if (!needs(a)) return plain(out);
        return record("FlipBackward0", out, null, g -> new Tensor[] {Ops.flip(g, dims)}, a);
    }

    public static Variable repeat(Variable a, int[] reps) {
        Tensor out = Ops.repeat(a.data, reps);
        if (!needs(a)) return plain(out);
        int[] xs = a.data.shape();
        DType dt = a.data.dtype;
        return record("RepeatBackward0", out, null, g -> {
            // view g as [r0, s0, r1, s1, ...] and sum the r dims
            int n = reps.length, pad = n - xs.length;
            int[] v = new int[2 * n], dims = new int[n];
            for (int i = 0; i < n; i++) {
                int s = i < pad ? 1 : xs[i - pad];
                v[2 * i] = reps[i];
                v[2 * i + 1] = s;
                dims[i] = 2 * i;
            }
            Tensor r = Ops.sum(g.contiguous().view(v), dims, false);
            return new Tensor[] {cast(r.reshape(xs), dt)};
        }, a);
    }

    public static Variable[] sort(Variable a, int dim, boolean descending) {
        Tensor[] r = Ops.sort(a.data, dim, descending);
        return withIndexGrad(a, r, dim, "SortBackward0");
    }

    public static Variable[] topk(Variable a, int k, int dim, boolean largest) {
        Tensor[] r = Ops.topk(a.data, k, dim, largest);
        return withIndexGrad(a, r, dim, "TopkBackward0");
    }

    private static Variable[] withIndexGrad(Variable a, Tensor[] r, int dim, String name) {
        Variable idx = plain(r[1]);
        if (!needs(a)) return new Variable[] {plain(r[0]), idx};
        int[] xs = a.data.shape();
        int d = a.dim() == 0 ? 0 : Shape.wrapDim(dim, a.dim());
        Tensor indices = r[1];
        Variable v = record(name, r[0], null, g -> new Tensor[] {indexGradAlongDim(g, indices, xs, d, true)}, a);
        return new Variable[] {v, idx};
    }

    public static Variable gather(Variable a, int dim, Variable index) {
        Tensor out = Ops.gather(a.data, dim, index.data);
        if (!needs(a)) return plain(out);
        int[] xs = a.data.shape();
        int d = Shape.wrapDim(dim, Math.max(a.dim(), 1));
        Tensor idx = index.data;
        return record("GatherBackward0", out, saved(idx), g -> {
            Tensor z = Tensor.zeros(g.dtype, xs).to(g.device);
            Ops.scatterInPlace(z, d, idx, g, true);
            return new Tensor[] {z, null};
        }, a, index);
    }

    public static Variable scatter(Variable a, int dim, Variable index, Variable src, boolean add) {
        Tensor out = a.data.copy();
        Ops.scatterInPlace(out, dim, index.data, src.data, add);
        if (!needs(a, src)) return plain(out);
        int d = Shape.wrapDim(dim, a.dim());
        Tensor idx = index.data;
        boolean ga = a.requiresGrad, gs = src.requiresGrad;
        return record(add ? "ScatterAddBackward0" : "ScatterBackward0", out, saved(idx), g -> {
            Tensor da = null;
            if (ga) {
                if (add) da = g;
                else { da = g.copy(); Ops.scatterInPlace(da, d, idx, zeros(g).asStrided(idx.shape(), idx.strides(), 0).contiguous(), false); }
            }
            Tensor ds = gs ? Ops.gather(g, d, idx) : null;
            return new Tensor[] {da, null, ds};
        }, a, index, src);
    }

    public static Variable scatterInPlace(Variable a, int dim, Variable index, Variable src, boolean add) {
        if (GradMode.isEnabled() && (a.requiresGrad || src.requiresGrad)) {
            checkInPlace(a);
            return rebase(a, scatter(snapshot(a), dim, index, src, add));
        }
        Ops.scatterInPlace(a.data, dim, index.data, src.data, add);
        return a;
    }

    public static Variable scatterValueInPlace(Variable a, int dim, Variable index, double value) {
        Tensor src = Tensor.full(a.data.dtype, value, index.data.shapeRef()).to(a.data.device);
        return scatterInPlace(a, dim, index, plain(src), false);
    }

    public static Variable indexSelect(Variable a, int dim, Variable index) {
        Tensor out = Ops.indexSelect(a.data, dim, index.data);
        if (!needs(a)) return plain(out);
        int[] xs = a.data.shape();
        int d = Shape.wrapDim(dim, Math.max(a.dim(), 1));
        Tensor idx = index.data;
        return record("IndexSelectBackward0", out, saved(idx), g -> {
            Tensor z = Tensor.zeros(g.dtype, xs).to(g.device);
            Ops.indexAddInPlace(z, d, idx, g, 1);
            return new Tensor[] {z, null};
        }, a, index);
    }

    public static Variable indexAdd(Variable a, int dim, Variable index, Variable src, double alpha) {
        Tensor out = a.data.copy();
        Ops.indexAddInPlace(out, dim, index.data, src.data, alpha);
        if (!needs(a, src)) return plain(out);
        int d = Shape.wrapDim(dim, a.dim());
        Tensor idx = index.data;
        boolean gs = src.requiresGrad;
        return record("IndexAddBackward0", out, saved(idx), g -> new Tensor[] {
            a.requiresGrad ? g : null, null, gs ? mul(Ops.indexSelect(g, d, idx), alpha) : null}, a, index, src);
    }

    public static Variable indexAddInPlace(Variable a, int dim, Variable index, Variable src, double alpha) {
        if (GradMode.isEnabled() && (a.requiresGrad || src.requiresGrad)) {
            checkInPlace(a);
            return rebase(a, indexAdd(snapshot(a), dim, index, src, alpha));
        }
        Ops.indexAddInPlace(a.data, dim, index.data, src.data, alpha);
        return a;
    }

    /** a[indices] with advanced indexing; null entries are full slices. */
    public static Variable index(Variable a, Variable[] indices) {
        Tensor[] ts = new Tensor[indices.length];
        for (int i = 0; i < ts.length; i++) ts[i] = indices[i] == null ? null : indices[i].data;
        Tensor out = Ops.index(a.data, ts);
        if (!needs(a)) return plain(out);
        int[] xs = a.data.shape();
        DType dt = a.data.dtype;
        return record("IndexBackward0", out, null, g -> {
            Tensor z = Tensor.zeros(dt, xs).to(g.device);
            Ops.indexPutInPlace(z, ts, g, true);
            return new Tensor[] {z};
        }, a);
    }

    /** a[indices] = values (or +=), in place. */
    public static Variable indexPutInPlace(Variable a, Variable[] indices, Variable values, boolean accumulate) {
        Tensor[] ts = new Tensor[indices.length];
        for (int i = 0; i < ts.length; i++) ts[i] = indices[i] == null ? null : indices[i].data;
        if (GradMode.isEnabled() && (a.requiresGrad || values.requiresGrad)) {
            checkInPlace(a);
            Variable old = snapshot(a);
            Tensor out = old.data.copy();
            Ops.indexPutInPlace(out, ts, values.data, accumulate);
            int[] vs = values.data.shape();
            DType vt = values.data.dtype;
            boolean gv = values.requiresGrad;
            Variable r = record("IndexPutBackward0", out, null, g -> {
                Tensor ga = g;
                if (!accumulate) { ga = g.copy(); Ops.indexPutInPlace(ga, ts, Tensor.zeros(g.dtype), false); }
                Tensor gvals = gv ? sumTo(Ops.index(g, ts), vs, vt) : null;
                return new Tensor[] {ga, gvals};
            }, old, values);
            return rebase(a, r);
        }
        Ops.indexPutInPlace(a.data, ts, values.data, accumulate);
        return a;
    }

    /** self.copy_(src): values of src (broadcast, converted) into self. */
    public static Variable copyInPlace(Variable self, Variable src) {
        if (GradMode.isEnabled() && (self.requiresGrad || src.requiresGrad)) {
            checkInPlace(self);
            int[] ss = src.data.shape();
            DType st = src.data.dtype;
            Tensor out = Tensor.empty(self.data.dtype, self.data.shapeRef()).to(self.data.device);
            out.copyFrom(src.data);
            Variable r = record("CopyBackwards", out, null, g -> new Tensor[] {null, sumTo(g, ss, st)}, self, src);
            return rebase(self, r);
        }
        self.data.copyFrom(src.data);
        return self;
    }

    public static Variable fillInPlace(Variable self, double value) {
        if (GradMode.isEnabled() && self.requiresGrad) {
            checkInPlace(self);
            Tensor out = Tensor.full(self.data.dtype, value, self.data.shapeRef()).to(self.data.device);
            return rebase(self, record("FillBackward0", out, null, g -> new Tensor[] {zeros(g)}, self));
        }
        self.data.fill(value);
        return self;
    }

    // ================================================================ whole-tensor queries (no grad)

    public static Variable nonzero(Variable a) { return plain(Ops.nonzero(a.data)); }

    public static boolean equal(Variable a, Variable b) { return Ops.equal(a.data, b.data); }

    public static boolean allclose(Variable a, Variable b, double rtol, double atol, boolean equalNan) {
        return Ops.allclose(a.data, b.data, rtol, atol, equalNan);
    }

    /** Argmax/argmin (no grad); dim may be null for the flattened tensor. */
    public static Variable argmax(Variable a, Integer dim, boolean keepdim, boolean max) {
        return plain(Ops.argmax(a.data, dim, keepdim, max));
    }

    public static Variable any(Variable a, int[] dims, boolean keepdim) {
        Tensor b = Ops.to(a.data, DType.BOOL);
        return plain(Ops.to(Ops.reduce(ReduceOp.MAX, Ops.to(b, DType.INT64), dims, keepdim, DType.INT64), DType.BOOL));
    }

    public static Variable all(Variable a, int[] dims, boolean keepdim) {
        Tensor b = Ops.to(a.data, DType.BOOL);
        return plain(Ops.to(Ops.reduce(ReduceOp.MIN, Ops.to(b, DType.INT64), dims, keepdim, DType.INT64), DType.BOOL));
    }
}
