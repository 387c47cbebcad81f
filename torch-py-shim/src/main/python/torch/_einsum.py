"""torch.einsum: contracts operands pairwise with permute/reshape/bmm (the math is the Java matmul)."""


def _parse(equation, operands):
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError("einsum(): more operands were provided than specified in the equation" if len(operands) > len(terms)
                         else "einsum(): fewer operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    ell = None
    out_terms = []
    for term, op in zip(terms, operands):
        if "..." in term:
            n = op.dim() - (len(term) - 3)
            if ell is None or n > len(ell):
                ell = "".join(spare[:n]) if ell is None or n > len(ell) else ell
            term = term.replace("...", ell[len(ell) - n:] if n > 0 else "")
        if len(term) != op.dim():
            raise RuntimeError("einsum(): the number of subscripts in the equation (%d) does not match the number of "
                               "dimensions (%d) for operand %d" % (len(term), op.dim(), len(out_terms)))
        out_terms.append(term)
    if arrow:
        out = rhs.replace("...", ell or "")
    else:
        counts = {}
        for t in out_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = (ell or "") + "".join(sorted(c for c, k in counts.items() if k == 1 and (ell is None or c not in ell)))
    return out_terms, out


def _diagonalize(t, term):
    """Repeated subscripts within one operand take the diagonal."""
    while len(set(term)) != len(term):
        for i, c in enumerate(term):
            j = term.find(c, i + 1)
            if j >= 0:
                t = t.diagonal(0, i, j)
                term = term[:i] + term[i + 1:j] + term[j + 1:] + c
                break
    return t, term


def _sum_out(t, term, keep):
    dims = [i for i, c in enumerate(term) if c not in keep]
    if dims:
        t = t.sum(dims)
        term = "".join(c for c in term if c in keep)
    return t, term


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, out = _parse(equation, operands)
    items = []
    for t, term in zip(operands, terms):
        items.append(_diagonalize(t, term))
    t, term = items[0]
    for k in range(1, len(items)):
        u, uterm = items[k]
        later = set(out)
        for _, lt in items[k + 1:]:
            later |= set(lt)
        t, term = _sum_out(t, term, later | set(uterm))
        u, uterm = _sum_out(u, uterm, later | set(term))
        batch = [c for c in term if c in uterm and c in later]
        contract = [c for c in term if c in uterm and c not in later]
        a_only = [c for c in term if c not in uterm]
        b_only = [c for c in uterm if c not in term]
        size = {}
        for c, s in zip(term, t.shape):
            size[c] = s
        for c, s in zip(uterm, u.shape):
            size[c] = max(size.get(c, 1), s) if c in size else s

        def prod(cs):
            p = 1
            for c in cs:
                p *= size[c]
            return p
        ta = t.permute([term.index(c) for c in batch + a_only + contract])
        tb = u.permute([uterm.index(c) for c in batch + contract + b_only])
        ta = ta.expand([size[c] for c in batch + a_only + contract]).reshape(prod(batch), prod(a_only), prod(contract))
        tb = tb.expand([size[c] for c in batch + contract + b_only]).reshape(prod(batch), prod(contract), prod(b_only))
        t = ta.bmm(tb).reshape([size[c] for c in batch + a_only + b_only])
        term = "".join(batch + a_only + b_only)
    t, term = _sum_out(t, term, set(out))
    if term != out:
        t = t.permute([term.index(c) for c in out])
    return t
