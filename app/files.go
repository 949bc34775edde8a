package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Files saves what the user exports (call reports, the directory) where they choose.
// WebKitGTK in the window does not download blob: links, so the front-end hands the text
// here and the desktop's save dialog asks for the place. Bound in the window only: in a
// browser on the bridge the front-end downloads the file itself.
type Files struct {
	window func() context.Context // the window's context; nil until it has started
}

// NewFiles returns the Files service of the window whose context window returns.
func NewFiles(window func() context.Context) *Files { return &Files{window: window} }

// Save asks where to save name (in a dialog titled title, opening in the user's
// Downloads folder, filtered to name's extension) and writes content there. It
// returns the path, or "" when the user cancelled the dialog.
func (f *Files) Save(title, name, content string) (string, error) {
	wctx := f.window()
	if wctx == nil {
		return "", errors.New("the window is not open yet")
	}
	opts := runtime.SaveDialogOptions{
		Title:                title,
		DefaultFilename:      name,
		DefaultDirectory:     downloads(),
		CanCreateDirectories: true,
	}
	if ext := filepath.Ext(name); ext != "" {
		opts.Filters = []runtime.FileFilter{{DisplayName: strings.ToUpper(ext[1:]) + " (*" + ext + ")", Pattern: "*" + ext}}
	}
	path, err := runtime.SaveFileDialog(wctx, opts)
	if err != nil {
		return "", fmt.Errorf("save dialog: %w", err)
	}
	if path == "" {
		return "", nil
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return "", fmt.Errorf("save %s: %w", path, err)
	}
	return path, nil
}

// downloads is the user's Downloads folder if there is one, else their home
// ("" lets the dialog choose).
func downloads() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	if d := filepath.Join(home, "Downloads"); isDir(d) {
		return d
	}
	return home
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
