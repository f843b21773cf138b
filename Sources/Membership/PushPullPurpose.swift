/// Why a push/pull stream was opened.
enum PushPullPurpose {
    case periodic(NodeAddress)
    case join(OperationID, JoinTarget)
}
