"""torch.return_types: named tuples returned by max/min/sort/topk/... printed like PyTorch's."""
_cache = {}


def _type(name):
    t = _cache.get(name)
    if t is None:
        def __repr__(self):
            return "torch.return_types.%s(\nvalues=%r,\nindices=%r)" % (name, self[0], self[1])

        def __getattr__(self, attr):
            if attr == "values":
                return self[0]
            if attr == "indices":
                return self[1]
            raise AttributeError(attr)
        t = type(name, (tuple,), {"__repr__": __repr__, "__str__": __repr__, "__getattr__": __getattr__, "__slots__": ()})
        t.__module__ = "torch.return_types"
        _cache[name] = t
    return t


def _make(name, values, indices):
    return _type(name)((values, indices))


max = _type("max")
min = _type("min")
sort = _type("sort")
topk = _type("topk")
