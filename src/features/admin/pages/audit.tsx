import type { App } from "../../../http/openapi";
import { type ChainReport, MAX_CHAIN_PAGE } from "../../audit/chain-service";
import {
  type ConsoleVisit,
  consoleGet,
  consolePost,
  invalid,
  optionalField,
  queryParam,
  renderConsole,
  utcDay,
} from "../console";
import { CsrfForm, Messages } from "../layout";
import { SECTIONS } from "../paths";
import { TablePage } from "../table-page";
import { auditTable } from "./audit-table";

const BASE = SECTIONS.audit.path;
const VERIFY_FORM = "admin:auditoria:verificar";
const PAGE_SIZE = 50;

const PROBLEMS: Record<NonNullable<ChainReport["firstBroken"]>["problem"], string> = {
  missing: "um registro foi apagado ou desligado da cadeia",
  altered: "este registro (ou o anterior) foi alterado",
  head_mismatch: "o último registro não confere com a cabeça gravada",
  beyond_head: "há registros além da cabeça gravada",
};

/**
 * Auditoria: the audit log with the audit API's filters (event, actor, target, dates) and scope
 * (root: every row; admin: their tenants' rows), and the hash-chain check (`POST
 * /api/audit-logs/verify/`'s service: seal pending rows, check up to 10,000 positions, then go on
 * from where it stopped).
 */
export function registerAuditPages(app: App): void {
  consoleGet(app, BASE, "audit:read", (visit, messages) => auditPage(visit, messages));
  consolePost(app, BASE, {
    form: VERIFY_FORM,
    permission: "audit:verify",
    reshow: (visit, messages) => auditPage(visit, messages),
    async act(visit, fields) {
      const after = optionalField(fields, "apos", 12);
      if (after !== undefined && !/^\d+$/.test(after)) throw invalid("apos");
      const report = await visit.c.get("services").auditLogs.verify({
        afterSeq: after === undefined ? undefined : Number(after),
        limit: MAX_CHAIN_PAGE,
      });
      return auditPage(visit, {}, report);
    },
  });
}

async function auditPage(
  visit: ConsoleVisit,
  messages: { error?: string; notice?: string },
  report?: ChainReport,
) {
  const { c, principal } = visit;
  const filters = {
    evento: queryParam(c, "evento", 100),
    ator: queryParam(c, "ator", 40),
    alvo: queryParam(c, "alvo", 128),
    de: queryParam(c, "de", 10),
    ate: queryParam(c, "ate", 10),
  };
  const page = await c.get("services").auditLogs.list(
    principal,
    {
      event: filters.evento,
      actorId: filters.ator,
      targetId: filters.alvo,
      from: utcDay(filters.de),
      to: utcDay(filters.ate, true),
    },
    { cursor: queryParam(c, "cursor", 200), limit: PAGE_SIZE },
  );
  const csrf = await visit.csrf(VERIFY_FORM);
  return renderConsole(visit, {
    title: "Auditoria",
    section: BASE,
    body: (
      <>
        <h1>Auditoria</h1>
        <Messages {...messages} />
        <section class="card" aria-labelledby="cadeia">
          <h2 id="cadeia">Cadeia de hashes</h2>
          <p>
            Cada registro selado guarda o hash do anterior: apagar, alterar ou reordenar um registro quebra a
            cadeia a partir dele. A verificação sela os registros pendentes e confere até{" "}
            {MAX_CHAIN_PAGE.toLocaleString("pt-BR")} posições.
          </p>
          {report ? <ChainResult report={report} /> : null}
          <CsrfForm action={BASE} csrf={csrf}>
            {report?.nextAfterSeq ? (
              <input type="hidden" name="apos" value={String(report.nextAfterSeq)} />
            ) : null}
            <button type="submit">
              {report?.nextAfterSeq ? "Continuar a verificação" : "Verificar a cadeia"}
            </button>
          </CsrfForm>
        </section>
        <section class="card" aria-labelledby="registros">
          <h2 id="registros">Registros</h2>
          <TablePage
            filters={{
              action: BASE,
              label: "Filtrar registros",
              fields: (
                <>
                  <div class="field">
                    <label for="evento">Evento</label>
                    <input
                      type="text"
                      id="evento"
                      name="evento"
                      value={filters.evento ?? ""}
                      placeholder="invite.create"
                    />
                  </div>
                  <div class="field">
                    <label for="ator">Quem (id)</label>
                    <input type="text" id="ator" name="ator" value={filters.ator ?? ""} />
                  </div>
                  <div class="field">
                    <label for="alvo">Alvo (id)</label>
                    <input type="text" id="alvo" name="alvo" value={filters.alvo ?? ""} />
                  </div>
                  <div class="field">
                    <label for="de">De</label>
                    <input type="date" id="de" name="de" value={filters.de ?? ""} />
                  </div>
                  <div class="field">
                    <label for="ate">Até</label>
                    <input type="date" id="ate" name="ate" value={filters.ate ?? ""} />
                  </div>
                </>
              ),
            }}
            {...auditTable(page.items, {
              caption: "Registros de auditoria, do mais recente ao mais antigo",
              showTarget: true,
            })}
            pager={{ path: BASE, query: filters, cursor: page.nextCursor }}
          />
        </section>
      </>
    ),
  });
}

function ChainResult({ report }: { report: ChainReport }) {
  const broken = report.firstBroken;
  return (
    <div
      class={`notice ${report.valid ? "success" : "error"}`}
      role={report.valid ? "status" : "alert"}
      id="resultado-cadeia"
    >
      <p>
        <strong>{report.valid ? "Cadeia íntegra" : "Cadeia quebrada"}</strong>
        {broken ? ` na posição ${broken.seq}: ${PROBLEMS[broken.problem]}.` : "."}
      </p>
      <p>
        Posições conferidas: {report.checked.fromSeq} a {report.checked.toSeq}. Selados agora:{" "}
        {report.sealedNow}. Pendentes: {report.unsealed}. Cabeça:{" "}
        {report.head ? `posição ${report.head.seq}` : "nenhuma"}.
      </p>
      {report.head ? (
        <p>
          Hash da cabeça (guarde-o em outro lugar para comparar depois):{" "}
          <code class="hash">{report.head.hash}</code>
        </p>
      ) : null}
    </div>
  );
}
