import Testing

/// Parent of every suite that starts clusters of real processes (Go peers and
/// memberlistd). Serialized so that only one cluster runs at a time: several
/// six-process clusters with 300 ms probe intervals at once overload a 2-core
/// machine and turn scheduling stalls into false failure detections.
@Suite(.serialized) struct ProcessClusterTests {}
