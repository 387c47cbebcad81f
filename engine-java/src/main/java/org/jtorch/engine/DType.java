package org.jtorch.engine;

/** Element types, with PyTorch's names and type-promotion lattice (bool < integer < floating). */
public enum DType {
    BOOL("bool", 1, 0),
    INT32("int32", 4, 1),
    INT64("int64", 8, 1),
    FLOAT32("float32", 4, 2),
    FLOAT64("float64", 8, 2);

    /** PyTorch's name, as in {@code torch.float32}. */
    public final String pyName;
    public final int itemSize;
    /** 0 bool, 1 integer, 2 floating: the promotion category. */
    public final int category;

    DType(String pyName, int itemSize, int category) {
        this.pyName = pyName;
        this.itemSize = itemSize;
        this.category = category;
    }

    public boolean isFloating() { return category == 2; }
    public boolean isIntegral() { return category == 1; }
    public boolean isBool() { return category == 0; }

    /** The default floating dtype (torch.get_default_dtype()). */
    public static DType defaultFloat() { return FLOAT32; }

    /** Promotion of two dtypes of equal standing: the higher category wins, then the wider type. */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a.category != b.category) return a.category > b.category ? a : b;
        return a.ordinal() > b.ordinal() ? a : b;
    }

    public static DType byName(String name) {
        for (DType d : values()) if (d.pyName.equals(name) || d.name().equalsIgnoreCase(name)) return d;
        throw TorchException.type("unknown dtype " + name);
    }
}
