/** What the settings fields show: a tenant's current values, or nothing for a new one. */
export interface TenantSettingsValues {
  name: string;
  sessionTimeoutSeconds: number | null;
  mfaRequired: boolean;
}

/**
 * The fields a tenant's settings share between the create form and the settings form (name,
 * session timeout, MFA rule), with the same limits as the API's schemas, so both forms ask for the
 * same things in the same words.
 */
export function TenantSettingsFields({
  values,
  timeoutHint,
}: {
  values?: TenantSettingsValues;
  timeoutHint: string;
}) {
  return (
    <>
      <div class="field">
        <label for="name">Nome</label>
        <input type="text" id="name" name="name" value={values?.name} required maxlength={200} />
      </div>
      <div class="field">
        <label for="session_timeout_seconds">Tempo de sessão (segundos)</label>
        <input
          type="number"
          id="session_timeout_seconds"
          name="session_timeout_seconds"
          min={60}
          max={86400}
          value={values?.sessionTimeoutSeconds == null ? undefined : String(values.sessionTimeoutSeconds)}
          aria-describedby="tempo-dica"
        />
        <span class="hint" id="tempo-dica">
          {timeoutHint}
        </span>
      </div>
      <div class="field checkbox">
        <input
          type="checkbox"
          id="mfa_required"
          name="mfa_required"
          value="sim"
          checked={values?.mfaRequired}
        />
        <label for="mfa_required">Exigir segundo fator de todos</label>
      </div>
    </>
  );
}
