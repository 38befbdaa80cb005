package liquid

import (
	"html"
	"strings"
)

type state struct {
	t      *Template
	scopes []map[string]any
	out    strings.Builder
	iters  int
	escape bool
}

var (
	errOutput = &Error{Msg: "output is too long", MsgJa: "出力が長すぎます"}
	// errPanic is returned if rendering panicked; the fuzz test fails on it.
	errPanic = &Error{Line: 1, Col: 1, Msg: "template could not be rendered", MsgJa: "テンプレートを表示できませんでした"}
)

// Render renders the template as plain text. Unknown variables render empty.
func (t *Template) Render(data map[string]any) (string, error) {
	return t.render(data, false)
}

// RenderHTML renders a template whose text is HTML: every {{ }} value is
// HTML-escaped, so data can never inject markup.
func (t *Template) RenderHTML(data map[string]any) (string, error) {
	return t.render(data, true)
}

func (t *Template) render(data map[string]any, esc bool) (out string, err error) {
	if t == nil {
		return "", nil
	}
	defer func() {
		// Belt and braces: a bug in a filter must not take down the caller.
		if r := recover(); r != nil {
			out, err = "", errPanic
		}
	}()
	s := &state{t: t, scopes: []map[string]any{data, {}}, escape: esc}
	if err := s.nodes(t.nodes); err != nil {
		return "", err
	}
	return s.out.String(), nil
}

func (s *state) write(str string) error {
	if s.out.Len()+len(str) > MaxOutput {
		return errOutput
	}
	s.out.WriteString(str)
	return nil
}

func (s *state) nodes(ns []node) error {
	for _, n := range ns {
		if err := s.node(n); err != nil {
			return err
		}
	}
	return nil
}

func (s *state) node(n node) error {
	switch n := n.(type) {
	case textNode:
		return s.write(n.s)
	case outputNode:
		v, err := s.chain(n.c)
		if err != nil {
			return err
		}
		str := toString(v)
		if s.escape {
			str = html.EscapeString(str)
		}
		return s.write(str)
	case assignNode:
		v, err := s.chain(n.c)
		if err != nil {
			return err
		}
		s.scopes[len(s.scopes)-1][n.name] = v
	case *ifNode:
		for i, b := range n.branches {
			ok := s.test(b.cond)
			if i == 0 && n.unless {
				ok = !ok
			}
			if ok {
				return s.nodes(b.body)
			}
		}
		return s.nodes(n.elseBody)
	case *forNode:
		return s.loop(n)
	}
	return nil
}

func (s *state) chain(c *chain) (any, error) {
	v := s.eval(c.base)
	for _, f := range c.filters {
		args := make([]any, len(f.args))
		for i, a := range f.args {
			args[i] = s.eval(a)
		}
		var err error
		v, err = f.f.fn(v, args)
		if err != nil {
			return nil, errAt(s.t.src, f.off, "filter '"+f.name+"': "+err.Error(), "フィルター「"+f.name+"」: "+err.Error())
		}
		if str, ok := v.(string); ok && len(str) > MaxOutput {
			return nil, errOutput
		}
	}
	return v, nil
}

func (s *state) eval(e expr) any {
	switch e := e.(type) {
	case literal:
		return e.v
	case varExpr:
		return s.lookup(e)
	case rangeExpr:
		return e
	}
	return nil
}

func (s *state) lookup(v varExpr) any {
	var cur any
	found := false
	first := v.path[0].name
	for i := len(s.scopes) - 1; i >= 0; i-- {
		if x, ok := s.scopes[i][first]; ok {
			cur, found = x, true
			break
		}
	}
	if !found {
		return nil
	}
	for _, sg := range v.path[1:] {
		if sg.index != nil {
			cur = index(cur, s.eval(sg.index))
		} else {
			cur = member(cur, sg.name)
		}
		if cur == nil {
			return nil
		}
	}
	return cur
}

func (s *state) loop(n *forNode) error {
	items := s.eval(n.coll)
	var seq []any
	var lo, hi int64
	isRange := false
	if r, ok := items.(rangeExpr); ok {
		a, aok := toInt(s.eval(r.from))
		b, bok := toInt(s.eval(r.to))
		if !aok || !bok {
			return s.nodes(n.elseBody)
		}
		lo, hi, isRange = a, b, true
	} else {
		seq = toList(items)
	}
	length := int64(len(seq))
	if isRange {
		length = hi - lo + 1
		if hi < lo {
			length = 0
		}
	}
	offset := int64(0)
	if n.offset != nil {
		if o, ok := toInt(s.eval(n.offset)); ok && o > 0 {
			offset = min(o, length)
		}
	}
	count := length - offset
	if n.limit != nil {
		if l, ok := toInt(s.eval(n.limit)); ok {
			count = max(0, min(count, l))
		}
	}
	if count <= 0 {
		return s.nodes(n.elseBody)
	}
	if int64(s.iters)+count > MaxIterations {
		return errAt(s.t.src, n.off, "loop runs too many times", "ループの回数が多すぎます")
	}
	scope := map[string]any{}
	s.scopes = append(s.scopes, scope)
	defer func() { s.scopes = s.scopes[:len(s.scopes)-1] }()
	for k := int64(0); k < count; k++ {
		s.iters++
		pos := offset + k
		if n.reversed {
			pos = offset + count - 1 - k
		}
		var item any
		if isRange {
			item = lo + pos
		} else {
			item = seq[pos]
		}
		scope[n.name] = item
		scope["forloop"] = map[string]any{
			"index": k + 1, "index0": k, "rindex": count - k, "rindex0": count - k - 1,
			"first": k == 0, "last": k == count-1, "length": count,
		}
		if err := s.nodes(n.body); err != nil {
			return err
		}
	}
	return nil
}

func (s *state) test(c cond) bool {
	switch c := c.(type) {
	case logicCond:
		if c.and {
			return s.test(c.left) && s.test(c.right)
		}
		return s.test(c.left) || s.test(c.right)
	case cmpCond:
		l := s.eval(c.left)
		if c.op == "" {
			return truthy(l)
		}
		return compare(l, c.op, s.eval(c.right))
	}
	return false
}
