package app

import (
	"context"
	"errors"
	"fmt"
	"os"

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

// Save asks where to save name and writes content there. It returns the path,
// or "" when the user cancelled the dialog.
func (f *Files) Save(name, content string) (string, error) {
	wctx := f.window()
	if wctx == nil {
		return "", errors.New("the window is not open yet")
	}
	path, err := runtime.SaveFileDialog(wctx, runtime.SaveDialogOptions{
		DefaultFilename:      name,
		CanCreateDirectories: true,
	})
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
