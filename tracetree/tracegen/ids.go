package tracegen

// Ids: every span, event and trace id comes from a hash of its index and
// the seed, so the same Config gives the same ids in any order.

// mix is the splitmix64 finalizer, a bijection: distinct inputs give
// distinct ids.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// fmix32 is murmur3's 32-bit finalizer, also a bijection.
func fmix32(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

func putHex(b []byte, v uint64) {
	for i := 15; i >= 0; i-- {
		b[i] = hexDigits[v&15]
		v >>= 4
	}
}

// allocIDs makes every id at once in two strings, so ids are substrings and
// cost no allocations. Span ids are 16 hex, distinct by construction; event
// ids are uuid4 hex, distinct in their last 32 bits.
func (g *gen) allocIDs() {
	nSpan := g.cfg.Spans + g.cfg.OrphanRoots
	nProfilers := 0
	for _, s := range g.svcs {
		nProfilers += len(s.profilers)
	}
	g.nEvent = 1 + 2*len(g.txns) + g.cfg.Errors + nProfilers
	k := [4]uint64{g.rng.Uint64(), g.rng.Uint64(), g.rng.Uint64(), g.rng.Uint64()}
	b := make([]byte, 16*nSpan)
	for i := 0; i < nSpan; i++ {
		putHex(b[16*i:], mix(uint64(i)+k[0]))
	}
	g.spanIDs = string(b)
	b = make([]byte, 32*g.nEvent)
	for i := 0; i < g.nEvent; i++ {
		hi := mix(uint64(i)+k[1])&^(0xf<<12) | 4<<12
		lo := mix(uint64(i)^k[2])&0x3fffffff00000000 | 2<<62 | uint64(fmix32(uint32(i)+uint32(k[3])))
		putHex(b[32*i:], hi)
		putHex(b[32*i+16:], lo)
	}
	g.eventIDs = string(b)

	// Event ids: the trace, transactions, profiles, profiler sessions and
	// errors, in that order.
	next := 1
	for i := range g.txns {
		g.txns[i].eventID = g.eventID(next)
		next++
	}
	for _, s := range g.svcs {
		for j := range s.profilers {
			s.profilers[j] = g.eventID(next)
			next++
		}
	}
	for i := range g.txns {
		t := &g.txns[i]
		s := g.svcs[t.svc]
		// Python and Node services run the continuous profiler (a session
		// id shared by the transactions it saw); the others sample
		// transaction profiles.
		u := g.rng.Float64()
		switch {
		case len(s.profilers) > 0:
			if u < 0.4 {
				t.profilerID = s.profilers[g.rng.IntN(len(s.profilers))]
			}
		case s.lang == browser && u < 0.2, s.lang != browser && u < 0.3:
			t.profileID = g.eventID(next)
		}
		next++ // one slot per transaction, used or not
		if t.orphan {
			t.missing = g.spanID(int32(g.cfg.Spans) + int32(g.orphanIndex(i)))
		}
	}
	g.errs = make([]errEvent, g.cfg.Errors)
	for i := range g.errs {
		g.errs[i].eventID = g.eventID(next)
		next++
	}
}

func (g *gen) orphanIndex(t int) int {
	n := 0
	for i := 0; i < t; i++ {
		if g.txns[i].orphan {
			n++
		}
	}
	return n
}

func (g *gen) spanID(i int32) string { return g.spanIDs[16*int(i) : 16*int(i)+16] }
func (g *gen) eventID(i int) string  { return g.eventIDs[32*i : 32*i+32] }
