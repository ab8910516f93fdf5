import { PASSWORD_MAX_BYTES } from "../accounts/password-policy";

/**
 * The password step's two fields, shared by every page sign-in (`/admin/entrar`,
 * `/tokens/ativar-2fa/`): the same names the form readers expect, the same autocomplete hints
 * password managers need, and the same limits as the API. `identifier` refills the first field
 * after a refused attempt; the password is never refilled.
 */
export function SignInFields({ identifier }: { identifier?: string }) {
  return (
    <>
      <div class="field">
        <label for="identificador">Usuário ou e-mail</label>
        <input
          type="text"
          id="identificador"
          name="identificador"
          autocomplete="username"
          maxlength={254}
          required
          autofocus
          value={identifier}
        />
      </div>
      <div class="field">
        <label for="senha">Senha</label>
        <input
          type="password"
          id="senha"
          name="senha"
          autocomplete="current-password"
          maxlength={PASSWORD_MAX_BYTES}
          required
        />
      </div>
    </>
  );
}
