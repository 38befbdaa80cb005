package liquid

import (
	"strconv"
)

// Template is a parsed template; it is safe for concurrent Render calls.
type Template struct {
	src   string
	nodes []node
}

type node interface{}

type textNode struct{ s string }

type outputNode struct {
	c   *chain
	off int
}

type branch struct {
	cond cond
	body []node
}

type ifNode struct {
	branches []branch // the first is negated for unless
	unless   bool
	elseBody []node
}

type forNode struct {
	name           string
	coll           expr
	limit, offset  expr
	reversed       bool
	body, elseBody []node
	off            int
}

type assignNode struct {
	name string
	c    *chain
}

// Parse parses src; the error is an *Error with line and column.
func Parse(src string) (*Template, error) {
	if len(src) > MaxSource {
		return nil, &Error{Line: 1, Col: 1, Msg: "template is too long", MsgJa: "テンプレートが長すぎます"}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	nodes, end, err := p.block(0, nil)
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, p.errf(end.off, "unexpected '{% "+firstWord(end.body)+" %}'", "「{% "+firstWord(end.body)+" %}」の位置が正しくありません")
	}
	return &Template{src: src, nodes: nodes}, nil
}

// Render parses and renders src in one step.
func Render(src string, data map[string]any) (string, error) {
	t, err := Parse(src)
	if err != nil {
		return "", err
	}
	return t.Render(data)
}

type parser struct {
	src  string
	toks []token
	pos  int
}

func (p *parser) errf(off int, msg, ja string) *Error { return errAt(p.src, off, msg, ja) }

// block parses nodes until a tag named in stops (returned) or the end.
func (p *parser) block(depth int, stops []string) ([]node, *token, error) {
	if depth > MaxDepth {
		off := len(p.src)
		if p.pos < len(p.toks) {
			off = p.toks[p.pos].off
		}
		return nil, nil, p.errf(off, "blocks are nested too deeply", "ブロックの入れ子が深すぎます")
	}
	var nodes []node
	for p.pos < len(p.toks) {
		t := &p.toks[p.pos]
		p.pos++
		switch t.kind {
		case tokText:
			nodes = append(nodes, textNode{t.body})
		case tokOutput:
			if t.body == "" {
				return nil, nil, p.errf(t.off, "empty '{{ }}'", "「{{ }}」の中が空です")
			}
			ts, err := scanExpr(p.src, t.body, t.bodyOff)
			if err != nil {
				return nil, nil, err
			}
			ep := &exprParser{p: p, toks: ts}
			c, err := ep.chain()
			if err != nil {
				return nil, nil, err
			}
			if err := ep.end(); err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, outputNode{c: c, off: t.off})
		case tokTag:
			name := firstWord(t.body)
			for _, s := range stops {
				if name == s {
					return nodes, t, nil
				}
			}
			n, err := p.tag(depth, t, name)
			if err != nil {
				return nil, nil, err
			}
			if n != nil {
				nodes = append(nodes, n)
			}
		}
	}
	return nodes, nil, nil
}

func (p *parser) tag(depth int, t *token, name string) (node, error) {
	rest := t.body[len(name):]
	restOff := t.bodyOff + len(name)
	exprOf := func() (*exprParser, error) {
		ts, err := scanExpr(p.src, rest, restOff)
		if err != nil {
			return nil, err
		}
		return &exprParser{p: p, toks: ts}, nil
	}
	switch name {
	case "if", "unless":
		n := &ifNode{unless: name == "unless"}
		closer := "end" + name
		cur := t
		for {
			ep, err := exprOf()
			if err != nil {
				return nil, err
			}
			c, err := ep.cond()
			if err != nil {
				return nil, err
			}
			if err := ep.end(); err != nil {
				return nil, err
			}
			body, end, err := p.block(depth+1, []string{"elsif", "else", closer})
			if err != nil {
				return nil, err
			}
			n.branches = append(n.branches, branch{cond: c, body: body})
			if end == nil {
				return nil, p.errf(cur.off, "'{% "+name+" %}' is not closed with '{% "+closer+" %}'", "「{% "+name+" %}」に対応する「{% "+closer+" %}」がありません")
			}
			en := firstWord(end.body)
			if en == "elsif" {
				rest, restOff, cur = end.body[len(en):], end.bodyOff+len(en), end
				continue
			}
			if en == "else" {
				body, end2, err := p.block(depth+1, []string{closer})
				if err != nil {
					return nil, err
				}
				if end2 == nil {
					return nil, p.errf(end.off, "'{% else %}' is not closed with '{% "+closer+" %}'", "「{% else %}」に対応する「{% "+closer+" %}」がありません")
				}
				n.elseBody = body
			}
			return n, nil
		}
	case "for":
		return p.forTag(depth, t, rest, restOff)
	case "assign":
		ep, err := exprOf()
		if err != nil {
			return nil, err
		}
		id := ep.next()
		if id.kind != etIdent {
			return nil, p.errf(id.off, "expected a variable name after 'assign'", "「assign」の後に変数名が必要です")
		}
		if eq := ep.next(); eq.text != "=" {
			return nil, p.errf(eq.off, "expected '=' in 'assign'", "「assign」に「=」が必要です")
		}
		c, err := ep.chain()
		if err != nil {
			return nil, err
		}
		if err := ep.end(); err != nil {
			return nil, err
		}
		return assignNode{name: id.text, c: c}, nil
	case "comment":
		// The lexer already skipped the body; consume the endcomment token.
		p.pos++
		return nil, nil
	case "raw":
		body := ""
		if p.pos < len(p.toks) && p.toks[p.pos].kind == tokText {
			body = p.toks[p.pos].body
			p.pos++
		}
		p.pos++ // endraw
		return textNode{body}, nil
	case "":
		return nil, p.errf(t.off, "empty '{% %}'", "「{% %}」の中が空です")
	case "else", "elsif", "endif", "endunless", "endfor", "endraw", "endcomment":
		return nil, p.errf(t.off, "unexpected '{% "+name+" %}'", "「{% "+name+" %}」の位置が正しくありません")
	}
	return nil, p.errf(t.bodyOff, "unknown tag '"+name+"'", "不明なタグです: 「"+name+"」")
}

func (p *parser) forTag(depth int, t *token, rest string, restOff int) (node, error) {
	ts, err := scanExpr(p.src, rest, restOff)
	if err != nil {
		return nil, err
	}
	ep := &exprParser{p: p, toks: ts}
	id := ep.next()
	if id.kind != etIdent {
		return nil, p.errf(id.off, "expected a variable name after 'for'", "「for」の後に変数名が必要です")
	}
	if in := ep.next(); in.kind != etIdent || in.text != "in" {
		return nil, p.errf(in.off, "expected 'in' in 'for'", "「for」に「in」が必要です")
	}
	n := &forNode{name: id.text, off: t.off}
	if ep.peek().text == "(" {
		ep.next()
		from, err := ep.primary()
		if err != nil {
			return nil, err
		}
		if dd := ep.next(); dd.text != ".." {
			return nil, p.errf(dd.off, "expected '..' in a range", "範囲には「..」が必要です")
		}
		to, err := ep.primary()
		if err != nil {
			return nil, err
		}
		if cl := ep.next(); cl.text != ")" {
			return nil, p.errf(cl.off, "expected ')' after a range", "範囲の後に「)」が必要です")
		}
		n.coll = rangeExpr{from, to}
	} else {
		if n.coll, err = ep.primary(); err != nil {
			return nil, err
		}
	}
	for ep.peek().kind != etEOF {
		opt := ep.next()
		switch {
		case opt.kind == etIdent && opt.text == "reversed":
			n.reversed = true
		case opt.kind == etIdent && (opt.text == "limit" || opt.text == "offset"):
			if c := ep.next(); c.text != ":" {
				return nil, p.errf(c.off, "expected ':' after '"+opt.text+"'", "「"+opt.text+"」の後に「:」が必要です")
			}
			v, err := ep.primary()
			if err != nil {
				return nil, err
			}
			if opt.text == "limit" {
				n.limit = v
			} else {
				n.offset = v
			}
		default:
			return nil, p.errf(opt.off, "unexpected '"+opt.text+"' in 'for'", "「for」の中の「"+opt.text+"」が正しくありません")
		}
	}
	body, end, err := p.block(depth+1, []string{"else", "endfor"})
	if err != nil {
		return nil, err
	}
	if end == nil {
		return nil, p.errf(t.off, "'{% for %}' is not closed with '{% endfor %}'", "「{% for %}」に対応する「{% endfor %}」がありません")
	}
	n.body = body
	if firstWord(end.body) == "else" {
		eb, end2, err := p.block(depth+1, []string{"endfor"})
		if err != nil {
			return nil, err
		}
		if end2 == nil {
			return nil, p.errf(end.off, "'{% else %}' is not closed with '{% endfor %}'", "「{% else %}」に対応する「{% endfor %}」がありません")
		}
		n.elseBody = eb
	}
	return n, nil
}

func parseNumber(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return nil
}
