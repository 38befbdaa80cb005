package liquid

// expr is a value: a literal, a variable path or a range.
type expr interface{}

type literal struct{ v any }

type special int // the Liquid words empty and blank

const (
	specEmpty special = iota
	specBlank
)

type varExpr struct {
	path []seg
	off  int
}

type seg struct {
	name  string // a.b
	index expr   // a[0] or a["b"]
}

type rangeExpr struct{ from, to expr }

// chain is a value followed by filters.
type chain struct {
	base    expr
	filters []filterCall
}

type filterCall struct {
	name string
	f    filterSpec
	args []expr
	off  int
}

// cond is a condition of if/elsif/unless.
type cond interface{}

type cmpCond struct {
	left, right expr
	op          string // "" = truthiness of left
}

type logicCond struct {
	left  cond
	and   bool
	right cond
}

type exprParser struct {
	p     *parser
	toks  []etok
	pos   int
	depth int // nesting of [ ] indexes
}

func (e *exprParser) peek() etok { return e.toks[e.pos] }

func (e *exprParser) next() etok {
	t := e.toks[e.pos]
	if t.kind != etEOF {
		e.pos++
	}
	return t
}

func (e *exprParser) end() error {
	if t := e.peek(); t.kind != etEOF {
		return e.p.errf(t.off, "unexpected '"+t.text+"'", "「"+t.text+"」は予期しない位置にあります")
	}
	return nil
}

// chain parses `value | filter: arg, arg | filter`.
func (e *exprParser) chain() (*chain, error) {
	base, err := e.primary()
	if err != nil {
		return nil, err
	}
	c := &chain{base: base}
	for e.peek().text == "|" && e.peek().kind == etPunct {
		e.next()
		name := e.next()
		if name.kind != etIdent {
			return nil, e.p.errf(name.off, "expected a filter name after '|'", "「|」の後にフィルター名が必要です")
		}
		spec, ok := filters[name.text]
		if !ok {
			return nil, e.p.errf(name.off, "unknown filter '"+name.text+"'", "不明なフィルターです: 「"+name.text+"」")
		}
		fc := filterCall{name: name.text, f: spec, off: name.off}
		if e.peek().text == ":" && e.peek().kind == etPunct {
			e.next()
			for {
				a, err := e.primary()
				if err != nil {
					return nil, err
				}
				fc.args = append(fc.args, a)
				if !(e.peek().text == "," && e.peek().kind == etPunct) {
					break
				}
				e.next()
			}
		}
		if len(fc.args) < spec.min || len(fc.args) > spec.max {
			return nil, e.p.errf(name.off, "wrong number of arguments for filter '"+name.text+"'", "フィルター「"+name.text+"」の引数の数が正しくありません")
		}
		c.filters = append(c.filters, fc)
	}
	return c, nil
}

// primary parses a literal or a variable path.
func (e *exprParser) primary() (expr, error) {
	t := e.next()
	switch t.kind {
	case etString:
		return literal{t.text}, nil
	case etNumber:
		v := parseNumber(t.text)
		if v == nil {
			return nil, e.p.errf(t.off, "invalid number '"+t.text+"'", "数値が正しくありません: 「"+t.text+"」")
		}
		return literal{v}, nil
	case etIdent:
		switch t.text {
		case "true":
			return literal{true}, nil
		case "false":
			return literal{false}, nil
		case "nil", "null":
			return literal{nil}, nil
		case "empty":
			return literal{specEmpty}, nil
		case "blank":
			return literal{specBlank}, nil
		}
		v := varExpr{path: []seg{{name: t.text}}, off: t.off}
		for {
			n := e.peek()
			if n.kind != etPunct {
				break
			}
			if n.text == "." {
				e.next()
				id := e.next()
				if id.kind != etIdent && id.kind != etNumber {
					return nil, e.p.errf(id.off, "expected a name after '.'", "「.」の後に名前が必要です")
				}
				v.path = append(v.path, seg{name: id.text})
				continue
			}
			if n.text == "[" {
				e.next()
				if e.depth++; e.depth > MaxDepth {
					return nil, e.p.errf(n.off, "indexes are nested too deeply", "添字の入れ子が深すぎます")
				}
				idx, err := e.primary()
				e.depth--
				if err != nil {
					return nil, err
				}
				if cl := e.next(); cl.text != "]" {
					return nil, e.p.errf(cl.off, "expected ']'", "「]」が必要です")
				}
				v.path = append(v.path, seg{index: idx})
				continue
			}
			break
		}
		return v, nil
	case etEOF:
		return nil, e.p.errf(t.off, "a value is missing", "値がありません")
	}
	return nil, e.p.errf(t.off, "unexpected '"+t.text+"'", "「"+t.text+"」は予期しない位置にあります")
}

// cond parses comparisons joined by and/or; like Liquid, they group from the
// right without precedence.
func (e *exprParser) cond() (cond, error) {
	left, err := e.compare()
	if err != nil {
		return nil, err
	}
	if t := e.peek(); t.kind == etIdent && (t.text == "and" || t.text == "or") {
		e.next()
		right, err := e.cond()
		if err != nil {
			return nil, err
		}
		return logicCond{left: left, and: t.text == "and", right: right}, nil
	}
	return left, nil
}

func (e *exprParser) compare() (cond, error) {
	left, err := e.primary()
	if err != nil {
		return nil, err
	}
	t := e.peek()
	if t.kind == etOp || t.kind == etIdent && t.text == "contains" {
		e.next()
		right, err := e.primary()
		if err != nil {
			return nil, err
		}
		op := t.text
		if op == "<>" {
			op = "!="
		}
		return cmpCond{left: left, op: op, right: right}, nil
	}
	return cmpCond{left: left}, nil
}
