/**
 * The strip under the header that shows what the server said when a call
 * failed. It stays until the person dismisses it or the next error replaces
 * it, so a message is never missed.
 */

interface ErrorBannerProps {
  message: string;
  onDismiss(): void;
}

export function ErrorBanner({ message, onDismiss }: ErrorBannerProps) {
  return (
    <div class="error-banner" role="alert">
      <span data-testid="error-banner">{message}</span>
      <button class="button subtle small" type="button" onClick={onDismiss} aria-label="Dismiss">
        Dismiss
      </button>
    </div>
  );
}
