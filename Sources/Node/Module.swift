import Wire
import Membership
import EventLoop
/// A running gossip node.
public enum NodeModule {}
