// Profile frames: app or system, function and file names, and node keys.

package tracetree

import (
	"path"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// isApp reports whether a frame is app code: its in_app flag, else a guess
// from its path (no path, site-packages, node_modules, node: and standard
// library paths are system code).
func (pt *ProfileTree) isApp(f *wire.ProfileFrame) bool {
	if f.InApp != nil {
		return *f.InApp
	}
	pt.InAppInferred = true
	p := f.AbsPath
	if p == "" {
		p = f.Filename
	}
	if p == "" || strings.HasPrefix(p, "<") || strings.HasPrefix(p, "node:") || strings.HasPrefix(p, "internal/") {
		return false
	}
	lp := strings.ToLower(p)
	for _, s := range []string{"node_modules/", "site-packages/", "dist-packages/", "/usr/lib/", "/usr/local/lib/", "/lib/python", "/vendor/", "/gems/", "/go/pkg/mod/", "/.cargo/registry/", "/system/library/", "/usr/include/"} {
		if strings.Contains(lp, s) {
			return false
		}
	}
	return true
}

func (pt *ProfileTree) stackHasApp(d *wire.ProfileData, stack int) bool {
	for _, fi := range d.Stacks[stack] {
		if pt.isApp(&d.Frames[fi]) {
			return true
		}
	}
	return false
}

func pfFuncName(f *wire.ProfileFrame) string {
	fn := strings.TrimSpace(f.Function)
	if fn == "" {
		fn = strings.TrimSpace(f.Symbol)
	}
	if fn == "" {
		if f.InstructionAddr != "" {
			fn = f.InstructionAddr
		} else {
			fn = "<anonymous>"
		}
	}
	return fn
}

func pfFile(f *wire.ProfileFrame) string {
	if f.Filename != "" {
		return f.Filename
	}
	return f.AbsPath
}

// pfSysShort is module.function, or the function alone.
func pfSysShort(f *wire.ProfileFrame) string {
	fn := pfFuncName(f)
	if f.Module != "" && !strings.HasPrefix(fn, f.Module+".") {
		fn = f.Module + "." + fn
	}
	return oneLine(fn, 160)
}

// pfSysName names a system function compactly: module.function, or
// function (file).
func pfSysName(f *wire.ProfileFrame) string {
	fn := pfFuncName(f)
	switch {
	case f.Module != "":
		return pfSysShort(f)
	case f.Package != "":
		return oneLine(fn, 120) + " (" + oneLine(path.Base(f.Package), 60) + ")"
	case pfFile(f) != "":
		return oneLine(fn, 120) + " (" + oneLine(pfShortPath(pfFile(f)), 80) + ")"
	}
	return oneLine(fn, 160)
}

// pfShortPath shortens a library path to the part after its package
// directory ("…/node_modules/helmet/index.cjs" → "helmet/index.cjs").
func pfShortPath(p string) string {
	for _, dir := range []string{"node_modules/", "site-packages/", "dist-packages/"} {
		if i := strings.LastIndex(p, dir); i >= 0 {
			return p[i+len(dir):]
		}
	}
	return p
}

func pfKey(f *wire.ProfileFrame) string {
	return pfFuncName(f) + "\x00" + f.Module + "\x00" + pfFile(f) + "\x00" + f.Package
}
