/// A leave or update waiting for its broadcast (§9).
enum WaitingOperation { case leave, update }
