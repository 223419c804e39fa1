import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";

interface Pending {
  readonly title: string;
  readonly body: ReactNode;
  readonly action: string;
  readonly resolve: (ok: boolean) => void;
}

/**
 * Asks before anything that moves money or stock. `confirm(...)` resolves true when confirmed;
 * Escape or Cancel resolves false. Render `dialog` once in the page.
 */
export function useConfirm() {
  const [pending, setPending] = useState<Pending | null>(null);
  const confirm = useCallback(
    (title: string, body: ReactNode, action = "Confirm") =>
      new Promise<boolean>((resolve) => setPending({ title, body, action, resolve })),
    [],
  );
  const close = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };
  const dialog = pending === null ? null : <ConfirmDialog pending={pending} onClose={close} />;
  return { confirm, dialog };
}

function ConfirmDialog({ pending, onClose }: { pending: Pending; onClose: (ok: boolean) => void }) {
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    confirmRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose(false);
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      previous?.focus();
    };
  }, [onClose]);
  return (
    <div className="modal-backdrop">
      <div
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        aria-describedby="confirm-body"
      >
        <h2 id="confirm-title">{pending.title}</h2>
        <div id="confirm-body">{pending.body}</div>
        <div className="modal-actions">
          <button type="button" className="secondary" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button type="button" ref={confirmRef} onClick={() => onClose(true)}>
            {pending.action}
          </button>
        </div>
      </div>
    </div>
  );
}
