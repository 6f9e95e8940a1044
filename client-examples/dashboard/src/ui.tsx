// Small shared pieces: the confirmation dialog every editor action goes through.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError } from "../../lib/connection.ts";

export interface PendingAction {
  title: string;
  /** a value the user edits before confirming (replicas, image) */
  input?: { label: string; value: string; numeric?: boolean };
  run(value: string): Promise<unknown>;
}

export function ConfirmDialog({ action, onClose }: { action: PendingAction; onClose(error?: string): void }) {
  const [value, setValue] = useState(action.input?.value ?? "");
  const [busy, setBusy] = useState(false);
  const confirm = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await action.run(value);
      onClose();
    } catch (err) {
      onClose((err as Error).message);
    }
  };
  return (
    <div class="backdrop" role="dialog" aria-label={action.title}>
      <form class="dialog" onSubmit={confirm}>
        <h3>{action.title}</h3>
        {action.input && (
          <label>
            {action.input.label}{" "}
            <input data-testid="confirm-input" inputMode={action.input.numeric ? "numeric" : "text"} value={value} onInput={(e) => setValue(e.currentTarget.value)} autoFocus />
          </label>
        )}
        <div class="buttons">
          <button type="button" onClick={() => onClose()} disabled={busy}>
            Cancel
          </button>
          <button type="submit" data-testid="confirm" disabled={busy}>
            Confirm
          </button>
        </div>
      </form>
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/**
 * The editor-action state of a view: the action awaiting confirmation, the last error, and the
 * reason actions are disabled: `refusal`, known up front from the token (lib/caller.ts), or a
 * FORBIDDEN answer.
 */
export function useActions(onUnauthenticated: () => void, refusal: string | null) {
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refusedNow, setForbidden] = useState<string | null>(null);
  const forbidden = refusal ?? refusedNow;
  const wrap = (action: PendingAction): PendingAction => ({
    ...action,
    run: (value) =>
      action.run(value).catch((err) => {
        if (err instanceof ApiError && err.code === "FORBIDDEN") setForbidden(err.message);
        if (err instanceof ApiError && err.code === "UNAUTHENTICATED") onUnauthenticated();
        throw err;
      }),
  });
  const dialog = pending && (
    <ConfirmDialog
      action={pending}
      onClose={(message) => {
        setPending(null);
        setError(message ?? null);
      }}
    />
  );
  const button = (label: string, action: PendingAction, testid: string) => (
    <button data-testid={testid} disabled={forbidden !== null} title={forbidden ?? undefined} onClick={() => setPending(wrap(action))}>
      {label}
    </button>
  );
  const notice = (
    <>
      {forbidden && (
        <p class="notice" data-testid="edit-disabled">
          Editing is disabled: {forbidden}
        </p>
      )}
      {error && !forbidden && <p class="error" data-testid="action-error">{error}</p>}
    </>
  );
  return { dialog, button, notice };
}
