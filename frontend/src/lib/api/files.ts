import { call, inDesktopWindow } from './transport';

/**
 * Saves text the user exports (reports, the directory) as a file. In a browser this is a
 * download; the desktop window (WebKitGTK) does not download blob: links, so there the Go
 * side asks where to save with the desktop's save dialog, titled `title`. Resolves false if the
 * user cancels.
 */
export async function saveText(title: string, name: string, type: string, text: string): Promise<boolean> {
  if (inDesktopWindow()) {
    const path = await call<string>('Files', 'Save', title, name, text);
    return path !== '';
  }
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return true;
}
