package org.jtorch.engine;

/** Where a tensor's storage lives: {@code cpu} or {@code cuda:N}. */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", -1);

    public static Device parse(String s) {
        int colon = s.indexOf(':');
        String type = colon < 0 ? s : s.substring(0, colon);
        if (!type.equals("cpu") && !type.equals("cuda"))
            throw TorchException.runtime("Expected one of cpu, cuda device type at start of device string: " + s);
        // a tensor's device always has an index in PyTorch: "cuda" means the current device, cuda:0 here
        int idx = colon < 0 ? (type.equals("cpu") ? -1 : 0) : Integer.parseInt(s.substring(colon + 1));
        return type.equals("cpu") ? CPU : new Device(type, idx);
    }

    @Override public String toString() { return index < 0 ? type : type + ":" + index; }
}
