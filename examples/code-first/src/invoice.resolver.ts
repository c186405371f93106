import { Authorized, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from "type-graphql";
import type { AuthContext } from "graphql-auth-api";

@ObjectType()
export class Invoice {
  @Field(() => ID) id!: string;
  @Field(() => ID) ownerId!: string;
  @Field(() => Int) amount!: number;
}

const invoices = new Map<string, Invoice[]>(); // stands in for the app's own database

/** The integrator's own resolvers, guarded like the built-in ones. */
@Resolver()
export class InvoiceResolver {
  @Authorized()
  @Query(() => [Invoice], { description: "The caller's invoices." })
  async myInvoices(@Ctx() ctx: AuthContext): Promise<Invoice[]> {
    const { user } = await ctx.principal(); // checked against the database on every request
    return invoices.get(user.id) ?? [{ id: `${user.id}-1`, ownerId: user.id, amount: 100 }];
  }

  @Authorized("ADMIN")
  @Query(() => Int, { description: "The total of every invoice (ADMIN)." })
  invoiceTotal(): number {
    return [...invoices.values()].flat().reduce((sum, invoice) => sum + invoice.amount, 0);
  }
}
