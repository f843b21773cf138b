package main

import (
	"errors"
	"reflect"
	"sync"
	"unsafe"

	"github.com/hashicorp/memberlist"
)

// nodeTable reads memberlist's own view of every node's state.
//
// Why: in memberlist v0.2.2 the public Node.State field is never written (the
// live state is the unexported nodeState.State that shadows it), Members()
// hides dead and left nodes, and no public call reports suspect. A test
// driver must see exactly alive/suspect/dead/left, so we read the unexported
// node table under memberlist's own lock, after checking with reflection
// that its layout is the one this code expects.
type nodeTable struct {
	lockOffset, nodesOffset uintptr // Memberlist.nodeLock, Memberlist.nodes
	stateOffset, incOffset  uintptr // nodeState.State, nodeState.Incarnation
}

// nodeView is one node as memberlist currently sees it.
type nodeView struct {
	name        string
	addr        string
	state       memberlist.NodeStateType
	incarnation uint32
}

// newNodeTable checks the layout; it needs no Memberlist yet, so events
// fired during memberlist.Create can already be decoded.
func newNodeTable() (*nodeTable, error) {
	m := reflect.TypeOf(memberlist.Memberlist{})
	lock, ok1 := m.FieldByName("nodeLock")
	nodes, ok2 := m.FieldByName("nodes")
	if !ok1 || !ok2 || lock.Type != reflect.TypeOf(sync.RWMutex{}) ||
		nodes.Type.Kind() != reflect.Slice || nodes.Type.Elem().Kind() != reflect.Ptr {
		return nil, errors.New("memberlist.Memberlist has no nodeLock/nodes fields of the expected types")
	}
	state := nodes.Type.Elem().Elem()
	embedded, ok1 := state.FieldByName("Node")
	current, ok2 := state.FieldByName("State")
	inc, ok3 := state.FieldByName("Incarnation")
	if !ok1 || !ok2 || !ok3 || embedded.Offset != 0 || embedded.Type != reflect.TypeOf(memberlist.Node{}) ||
		len(current.Index) != 1 || current.Type != reflect.TypeOf(memberlist.StateAlive) ||
		inc.Type.Kind() != reflect.Uint32 {
		return nil, errors.New("memberlist nodeState layout is not the expected one")
	}
	return &nodeTable{
		lockOffset: lock.Offset, nodesOffset: nodes.Offset,
		stateOffset: current.Offset, incOffset: inc.Offset,
	}, nil
}

// viewOf reads the nodeState around a *Node that memberlist handed us. The
// caller must hold memberlist's node lock (event callbacks run under it).
func (t *nodeTable) viewOf(n *memberlist.Node) nodeView {
	base := unsafe.Pointer(n) // Node is the first field of nodeState
	return nodeView{
		name:        n.Name,
		addr:        n.Address(),
		state:       *(*memberlist.NodeStateType)(unsafe.Add(base, t.stateOffset)),
		incarnation: *(*uint32)(unsafe.Add(base, t.incOffset)),
	}
}

// all lists every node still in list's table, taking its lock.
func (t *nodeTable) all(list *memberlist.Memberlist) []nodeView {
	if list == nil {
		return nil
	}
	base := unsafe.Pointer(list)
	lock := (*sync.RWMutex)(unsafe.Add(base, t.lockOffset))
	// []*nodeState has the layout of []*Node since Node sits at offset 0.
	nodes := (*[]*memberlist.Node)(unsafe.Add(base, t.nodesOffset))
	lock.RLock()
	defer lock.RUnlock()
	out := make([]nodeView, 0, len(*nodes))
	for _, n := range *nodes {
		out = append(out, t.viewOf(n))
	}
	return out
}
